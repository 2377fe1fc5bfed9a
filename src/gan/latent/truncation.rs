//! The truncation trick for exploring: drawing z from a narrower normal, ψ·z with z ~ N(0, I),
//! trades variety for typical digits (ψ < 1), or the reverse (ψ > 1).
//!
//! It only rescales the noise a picture is drawn from, so a latent vector keeps its identity:
//! a digit clicked at one ψ is the same vector at every other.

use std::fmt;

/// The scale ψ applied to the noise; 1 draws from the distribution G was trained on.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Truncation(f32);

impl Truncation {
    /// No truncation: the training distribution.
    pub const NONE: Self = Self(1.0);
    /// Past this the noise is far outside anything G saw in training.
    pub const MAX: f32 = 2.0;

    /// ψ in (0, 2]; anything else is refused with the reason.
    pub fn new(psi: f32) -> Result<Self, String> {
        if psi.is_finite() && psi > 0.0 && psi <= Self::MAX {
            Ok(Self(psi))
        } else {
            Err(format!(
                "the truncation ψ must be above 0 and at most {}, got {psi}",
                Self::MAX
            ))
        }
    }

    /// For clap: `--truncation 0.7`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let psi = text
            .trim()
            .parse::<f32>()
            .map_err(|_| format!("`{text}` is not a number; ψ is above 0 and at most 2"))?;
        Self::new(psi)
    }

    pub fn psi(self) -> f32 {
        self.0
    }

    /// `noise` scaled by ψ; the input itself stays as it was.
    pub fn apply(self, noise: &[f32]) -> Vec<f32> {
        noise.iter().map(|z| z * self.0).collect()
    }
}

impl Default for Truncation {
    fn default() -> Self {
        Self::NONE
    }
}

impl fmt::Display for Truncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_range_and_names_what_is_wrong() {
        for text in ["0.01", "0.7", "1", "2", " 1.5 "] {
            assert!(Truncation::parse(text).is_ok(), "{text}");
        }
        for text in ["0", "-0.5", "2.01", "NaN", "inf", "-inf"] {
            let error = Truncation::parse(text).unwrap_err();
            assert!(error.contains("above 0 and at most 2"), "{text}: {error}");
        }
        assert!(
            Truncation::parse("half")
                .unwrap_err()
                .contains("not a number")
        );
    }

    #[test]
    fn scales_the_noise_and_keeps_its_direction() {
        let z = [1.0, -2.0, 0.5];
        assert_eq!(
            Truncation::new(0.5).unwrap().apply(&z),
            vec![0.5, -1.0, 0.25]
        );
        assert_eq!(Truncation::NONE.apply(&z), z.to_vec());
        assert_eq!(Truncation::default(), Truncation::NONE);
    }
}
