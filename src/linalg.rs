//! The little dense linear algebra ganimate needs: covariance and the eigenvectors of symmetric
//! matrices (cyclic Jacobi), in f64, for the Fréchet distance and the latent directions. Sizes
//! are ~100, so this is instant and saves a linear-algebra dependency.

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Square {
    pub n: usize,
    pub values: Vec<f64>,
}

impl Square {
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            values: vec![0.0; n * n],
        }
    }

    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.values[row * self.n + col]
    }

    fn set(&mut self, row: usize, col: usize, value: f64) {
        self.values[row * self.n + col] = value;
    }

    pub fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.get(i, i)).sum()
    }

    pub fn multiply(&self, other: &Square) -> Square {
        let n = self.n;
        let mut out = Square::zeros(n);
        for i in 0..n {
            for k in 0..n {
                let a = self.get(i, k);
                if a == 0.0 {
                    continue;
                }
                for j in 0..n {
                    out.values[i * n + j] += a * other.values[k * n + j];
                }
            }
        }
        out
    }
}

/// Mean and (unbiased) covariance of `rows` vectors of length `dim`, stored one after another.
pub fn mean_and_covariance(values: &[f32], dim: usize) -> (Vec<f64>, Square) {
    let rows = values.len() / dim.max(1);
    let mut mean = vec![0.0; dim];
    for row in values.chunks_exact(dim) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += f64::from(v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= rows.max(1) as f64);
    let mut cov = Square::zeros(dim);
    let mut centred = vec![0.0; dim];
    for row in values.chunks_exact(dim) {
        for ((c, &v), m) in centred.iter_mut().zip(row).zip(&mean) {
            *c = f64::from(v) - m;
        }
        for (i, ci) in centred.iter().enumerate() {
            for (j, cj) in centred.iter().enumerate().skip(i) {
                cov.values[i * dim + j] += ci * cj;
            }
        }
    }
    let denominator = rows.saturating_sub(1).max(1) as f64;
    for i in 0..dim {
        for j in i..dim {
            let v = cov.get(i, j) / denominator;
            cov.set(i, j, v);
            cov.set(j, i, v);
        }
    }
    (mean, cov)
}

/// Eigenvalues and eigenvectors (as the columns of the second value) of a symmetric matrix.
pub fn symmetric_eigen(matrix: &Square) -> (Vec<f64>, Square) {
    let n = matrix.n;
    let mut a = matrix.clone();
    let mut v = Square::zeros(n);
    (0..n).for_each(|i| v.set(i, i, 1.0));
    let scale: f64 = a
        .values
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a.get(i, j).powi(2))
            .sum::<f64>()
            .sqrt();
        if off <= 1e-13 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a.get(p, q);
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a.get(q, q) - a.get(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                rotate(&mut a, &mut v, p, q, c, s);
            }
        }
    }
    ((0..n).map(|i| a.get(i, i)).collect(), v)
}

/// Applies the Jacobi rotation (p, q, c, s): A ← JᵀAJ, V ← VJ.
fn rotate(a: &mut Square, v: &mut Square, p: usize, q: usize, c: f64, s: f64) {
    let n = a.n;
    for k in 0..n {
        let (akp, akq) = (a.get(k, p), a.get(k, q));
        a.set(k, p, c * akp - s * akq);
        a.set(k, q, s * akp + c * akq);
    }
    for k in 0..n {
        let (apk, aqk) = (a.get(p, k), a.get(q, k));
        a.set(p, k, c * apk - s * aqk);
        a.set(q, k, s * apk + c * aqk);
    }
    for k in 0..n {
        let (vkp, vkq) = (v.get(k, p), v.get(k, q));
        v.set(k, p, c * vkp - s * vkq);
        v.set(k, q, s * vkp + c * vkq);
    }
}

/// The symmetric square root of a symmetric positive semi-definite matrix (negative
/// eigenvalues from rounding count as zero).
pub fn sqrt_psd(matrix: &Square) -> Square {
    let n = matrix.n;
    let (values, vectors) = symmetric_eigen(matrix);
    let mut out = Square::zeros(n);
    for (k, value) in values.iter().enumerate() {
        let root = value.max(0.0).sqrt();
        if root == 0.0 {
            continue;
        }
        for i in 0..n {
            let vik = vectors.get(i, k) * root;
            for j in 0..n {
                out.values[i * n + j] += vik * vectors.get(j, k);
            }
        }
    }
    out
}

/// Tr((A B)^½) for symmetric PSD A and B, as Σ √λ of the symmetric A^½ B A^½.
pub fn trace_sqrt_product(a: &Square, b: &Square) -> f64 {
    let root = sqrt_psd(a);
    let inner = root.multiply(b).multiply(&root);
    // Symmetrise away rounding so Jacobi sees a symmetric matrix.
    let n = inner.n;
    let mut symmetric = inner.clone();
    for i in 0..n {
        for j in 0..n {
            symmetric.values[i * n + j] = 0.5 * (inner.get(i, j) + inner.get(j, i));
        }
    }
    symmetric_eigen(&symmetric)
        .0
        .iter()
        .map(|v| v.max(0.0).sqrt())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_rows(rows: &[&[f64]]) -> Square {
        Square {
            n: rows.len(),
            values: rows.concat(),
        }
    }

    #[test]
    fn eigenvalues_of_a_known_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let (mut values, vectors) = symmetric_eigen(&from_rows(&[&[2.0, 1.0], &[1.0, 2.0]]));
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-12 && (values[1] - 3.0).abs() < 1e-12);
        // Eigenvectors are orthonormal.
        let dot = vectors.get(0, 0) * vectors.get(0, 1) + vectors.get(1, 0) * vectors.get(1, 1);
        assert!(dot.abs() < 1e-12);
    }

    #[test]
    fn square_root_squares_back() {
        let m = from_rows(&[&[4.0, 1.0, 0.5], &[1.0, 3.0, 0.2], &[0.5, 0.2, 2.0]]);
        let root = sqrt_psd(&m);
        let back = root.multiply(&root);
        for (x, y) in back.values.iter().zip(&m.values) {
            assert!((x - y).abs() < 1e-10, "{back:?}");
        }
    }

    #[test]
    fn trace_sqrt_of_commuting_diagonals() {
        let a = from_rows(&[&[4.0, 0.0], &[0.0, 9.0]]);
        let b = from_rows(&[&[1.0, 0.0], &[0.0, 4.0]]);
        // √(4·1) + √(9·4) = 2 + 6.
        assert!((trace_sqrt_product(&a, &b) - 8.0).abs() < 1e-10);
    }

    #[test]
    fn covariance_of_known_points() {
        let (mean, cov) = mean_and_covariance(&[0.0, 0.0, 2.0, 2.0, 4.0, 1.0], 2);
        assert_eq!(mean, vec![2.0, 1.0]);
        assert_eq!(cov.values, vec![4.0, 1.0, 1.0, 1.0]);
    }
}
