//! The soak test's plan and figures (`ganimate bench --soak MINUTES`), without Bevy: the app
//! follows the plan and reports one [`SoakSample`] per interval (as a [`crate::report`] line);
//! the bench reads them back and judges them against the goals with [`SoakSummary`].
//!
//! The plan scales with the length of the run. For an hour it is the issue's: a sample every
//! 10 s, a 30-second recording every 5 minutes, the first 5 minutes left out of the memory
//! baseline, and frame rates compared between minutes 5–15 and the last 10 minutes.

use std::fmt;
use std::time::Duration;

/// What a soak run does when, as fractions of its length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoakPlan {
    pub length: Duration,
}

/// One recording per cycle, this many cycles in a run (5 minutes each in an hour).
const CYCLES: u32 = 12;
/// Within a cycle, recording runs between these tenths of it (minute 1 to 1.5 of 5).
const RECORDING_FROM: u128 = 2;
const RECORDING_UNTIL: u128 = 3;
/// Start-up effects (caches, pools, first kernels) are over by this fraction (5 minutes).
const SETTLED: f64 = 1.0 / 12.0;
/// The early and late windows whose frame rates and memory are compared (minutes 5–15, 50–60).
const EARLY_UNTIL: f64 = 0.25;
const LATE_FROM: f64 = 5.0 / 6.0;
/// Goals: resident memory grows less than this after start-up, and the late frame rate keeps
/// at least this share of the early one.
pub const RSS_GROWTH_GOAL: f64 = 0.05;
pub const FPS_KEPT_GOAL: f64 = 0.95;

impl SoakPlan {
    /// Time between samples: 10 s, or less in a short run so it still has 30 samples.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(10).min(self.length / 30)
    }

    /// Time from one recording's start to the next.
    pub fn cycle(&self) -> Duration {
        self.length / CYCLES
    }

    /// The recording cycle `elapsed` falls in, if the plan wants a recording running then.
    pub fn recording_cycle(&self, elapsed: Duration) -> Option<u64> {
        if elapsed >= self.length {
            return None;
        }
        // In whole nanoseconds: a float's 1.2 − 1 falls just short of 0.2.
        let cycle = self.cycle().as_nanos().max(1);
        let (index, within) = (elapsed.as_nanos() / cycle, elapsed.as_nanos() % cycle);
        (RECORDING_FROM * cycle..RECORDING_UNTIL * cycle)
            .contains(&(within * 10))
            .then_some(index as u64)
    }
}

/// The app's figures over one sample interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SoakSample {
    /// Seconds since the soak started (the first digits drawn), at the end of the interval.
    pub seconds: f64,
    pub fps: f64,
    pub frame_p99_ms: f64,
    pub steps_per_s: f64,
    /// Resident memory, where the system says (Linux).
    pub rss_bytes: Option<u64>,
    pub recording: bool,
}

const MIB: f64 = 1024.0 * 1024.0;

/// This process's resident memory, from `/proc/self/status` (Linux only).
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// A soak run's figures against its goals.
#[derive(Debug, Clone, PartialEq)]
pub struct SoakSummary {
    pub minutes: f64,
    pub samples: usize,
    /// Largest resident memory in the early and the late window, in bytes.
    pub early_rss: Option<u64>,
    pub late_rss: Option<u64>,
    /// Mean frame rate and training speed in the early and the late window.
    pub early_fps: f64,
    pub late_fps: f64,
    pub early_steps_per_s: f64,
    pub late_steps_per_s: f64,
    /// Worst sample's frame p99 over the run after start-up.
    pub worst_p99_ms: f64,
    /// Error lines in the app's log.
    pub errors: usize,
}

impl SoakSummary {
    /// Judges the samples of a run of `plan`; `None` when the late window has no sample, or
    /// nothing lies between start-up and it.
    pub fn of(plan: &SoakPlan, samples: &[SoakSample], errors: usize) -> Option<Self> {
        let length = plan.length.as_secs_f64();
        let window = |from: f64, until: f64| -> Vec<&SoakSample> {
            samples
                .iter()
                .filter(|s| s.seconds > from * length && s.seconds <= until * length)
                .collect()
        };
        let late = window(LATE_FROM, 1.0);
        let mut early = window(SETTLED, EARLY_UNTIL);
        if early.is_empty() {
            // Frames longer than the early window (a short run on a slow machine) put no sample
            // in it: the first one after start-up stands for it, if it ends before the late one.
            early = window(SETTLED, LATE_FROM).into_iter().take(1).collect();
        }
        if early.is_empty() || late.is_empty() {
            return None;
        }
        let mean = |w: &[&SoakSample], f: fn(&SoakSample) -> f64| {
            w.iter().map(|s| f(s)).sum::<f64>() / w.len() as f64
        };
        let max_rss = |w: &[&SoakSample]| w.iter().filter_map(|s| s.rss_bytes).max();
        Some(Self {
            minutes: length / 60.0,
            samples: samples.len(),
            early_rss: max_rss(&early),
            late_rss: max_rss(&late),
            early_fps: mean(&early, |s| s.fps),
            late_fps: mean(&late, |s| s.fps),
            early_steps_per_s: mean(&early, |s| s.steps_per_s),
            late_steps_per_s: mean(&late, |s| s.steps_per_s),
            worst_p99_ms: window(SETTLED, 1.0)
                .iter()
                .map(|s| s.frame_p99_ms)
                .fold(0.0, f64::max),
            errors,
        })
    }

    /// Late over early peak memory, minus one; `None` without memory figures.
    pub fn rss_growth(&self) -> Option<f64> {
        Some(self.late_rss? as f64 / self.early_rss?.max(1) as f64 - 1.0)
    }

    pub fn fps_kept(&self) -> f64 {
        self.late_fps / self.early_fps.max(1e-9)
    }

    /// Whether every goal is met (memory counts as met only when it was measured).
    pub fn all_met(&self) -> bool {
        self.rss_growth().is_some_and(|g| g < RSS_GROWTH_GOAL)
            && self.fps_kept() >= FPS_KEPT_GOAL
            && self.errors == 0
    }
}

impl fmt::Display for SoakSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = |ok: bool| if ok { "met" } else { "not met" };
        // Whole minutes for an hour's windows, hundredths for a short run's.
        let digits = if self.minutes >= 12.0 { 0 } else { 2 };
        let window = |from: f64, until: f64| {
            format!(
                "{:.digits$}–{:.digits$} min",
                from * self.minutes,
                until * self.minutes
            )
        };
        let (early, late) = (window(SETTLED, EARLY_UNTIL), window(LATE_FROM, 1.0));
        writeln!(
            f,
            "soak of {:.1} min, {} samples; early window {early}, late window {late}",
            self.minutes, self.samples
        )?;
        match (self.early_rss, self.late_rss, self.rss_growth()) {
            (Some(a), Some(b), Some(growth)) => writeln!(
                f,
                "peak RSS {:.0} MiB → {:.0} MiB: {:+.1} % (goal < {:.0} %: {})",
                a as f64 / MIB,
                b as f64 / MIB,
                growth * 100.0,
                RSS_GROWTH_GOAL * 100.0,
                verdict(growth < RSS_GROWTH_GOAL)
            )?,
            _ => writeln!(f, "RSS: not measured on this system")?,
        }
        writeln!(
            f,
            "fps {:.1} → {:.1}: {:.1} % kept (goal ≥ {:.0} %: {})",
            self.early_fps,
            self.late_fps,
            self.fps_kept() * 100.0,
            FPS_KEPT_GOAL * 100.0,
            verdict(self.fps_kept() >= FPS_KEPT_GOAL)
        )?;
        writeln!(
            f,
            "training {:.1} → {:.1} steps/s; worst frame p99 after start-up {:.0} ms",
            self.early_steps_per_s, self.late_steps_per_s, self.worst_p99_ms
        )?;
        write!(
            f,
            "errors in the log: {} (goal 0: {})",
            self.errors,
            verdict(self.errors == 0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour() -> SoakPlan {
        SoakPlan {
            length: Duration::from_secs(3600),
        }
    }

    fn sample(seconds: f64, fps: f64, rss_mib: f64) -> SoakSample {
        SoakSample {
            seconds,
            fps,
            frame_p99_ms: 1000.0 / fps * 1.5,
            steps_per_s: 40.0,
            rss_bytes: Some((rss_mib * MIB) as u64),
            recording: false,
        }
    }

    #[test]
    fn an_hour_samples_every_10_s_and_records_30_s_every_5_minutes() {
        let plan = hour();
        assert_eq!(plan.interval(), Duration::from_secs(10));
        let at = |s: u64| plan.recording_cycle(Duration::from_secs(s));
        assert_eq!(at(59), None);
        assert_eq!(at(60), Some(0));
        assert_eq!(at(89), Some(0));
        assert_eq!(at(90), None);
        assert_eq!(at(360), Some(1));
        assert_eq!(at(3300 + 75), Some(11));
        assert_eq!(at(3600 + 60), None);
        // Half a minute still samples 30 times.
        let short = SoakPlan {
            length: Duration::from_secs(30),
        };
        assert_eq!(short.interval(), Duration::from_secs(1));
    }

    #[test]
    fn the_summary_compares_minutes_5_to_15_with_the_last_10() {
        let plan = hour();
        // Memory climbs during start-up (not counted), then creeps by 3 %; frames slow by 4 %
        // only in the last 10 minutes.
        let samples: Vec<SoakSample> = (1..=360)
            .map(|i| {
                let t = f64::from(i) * 10.0;
                let rss = if t <= 300.0 {
                    200.0 + t
                } else {
                    500.0 + (t - 300.0) / 3300.0 * 15.0
                };
                let fps = if t > 3000.0 { 48.0 } else { 50.0 };
                sample(t, fps, rss)
            })
            .collect();
        let summary = SoakSummary::of(&plan, &samples, 0).unwrap();
        assert_eq!(summary.early_fps, 50.0);
        assert_eq!(summary.late_fps, 48.0);
        let growth = summary.rss_growth().unwrap();
        assert!((0.02..0.03).contains(&growth), "{growth}");
        assert!(summary.all_met(), "{summary}");
        // One error in the log, or a slower end, fails the run.
        assert!(!SoakSummary::of(&plan, &samples, 1).unwrap().all_met());
        let slower: Vec<SoakSample> = samples
            .iter()
            .map(|s| SoakSample {
                fps: if s.seconds > 3000.0 { 45.0 } else { s.fps },
                ..*s
            })
            .collect();
        let summary = SoakSummary::of(&plan, &slower, 0).unwrap();
        assert!(!summary.all_met(), "{summary}");
        assert!(
            summary
                .to_string()
                .contains("90.0 % kept (goal ≥ 95 %: not met)")
        );
        // A run cut short has no late window to judge.
        assert_eq!(SoakSummary::of(&plan, &samples[..200], 0), None);
        // Samples too far apart to fall in the early window: the first after start-up stands
        // for it, and one sample in all cannot be both windows.
        let sparse: Vec<SoakSample> = [1000.0, 2000.0, 3500.0]
            .into_iter()
            .map(|t| sample(t, if t < 3000.0 { 50.0 } else { 48.0 }, 500.0))
            .collect();
        let summary = SoakSummary::of(&plan, &sparse, 0).unwrap();
        assert_eq!((summary.early_fps, summary.late_fps), (50.0, 48.0));
        assert_eq!(SoakSummary::of(&plan, &sparse[2..], 0), None);
    }

    #[test]
    fn this_process_knows_its_memory_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = resident_bytes().unwrap();
            assert!(rss > 1 << 20, "{rss}");
        }
    }
}
