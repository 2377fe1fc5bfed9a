//! What a scripted app run hands back to the `ganimate` process that started it (`bench
//! --app`, `bench --soak`): one JSON object per line of stdout, among the app's other output,
//! so the reader takes the figures as they were written instead of scraping prose.

use serde::{Deserialize, Serialize};

use crate::soak::SoakSample;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "report", rename_all = "kebab-case")]
pub enum AppReport {
    /// One interval of a soak run.
    SoakSample(SoakSample),
    /// A soak run's recordings, at its end.
    SoakRecordings {
        started: usize,
        finished: usize,
        other_files: usize,
    },
    /// A `--quit-after-frames` run's frame times and training rate.
    Frames(FrameSummary),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameSummary {
    pub frames: u32,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub samples_per_s: f64,
    pub backend: String,
}

impl AppReport {
    /// Prints the report as one line of stdout.
    pub fn print(&self) {
        println!(
            "{}",
            serde_json::to_string(self).expect("a report is plain data")
        );
    }

    /// The report on `line`; `None` for any other output, and for a figure that is not a
    /// number (JSON writes NaN as `null`).
    pub fn parse(line: &str) -> Option<Self> {
        serde_json::from_str(line.trim()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SoakSample {
        SoakSample {
            seconds: 612.5,
            fps: 41.25,
            frame_p99_ms: 30.5,
            steps_per_s: 12.0,
            rss_bytes: Some(851_759_923),
            recording: true,
        }
    }

    #[test]
    fn reports_read_back_as_written() {
        for report in [
            AppReport::SoakSample(sample()),
            AppReport::SoakSample(SoakSample {
                rss_bytes: None,
                ..sample()
            }),
            AppReport::SoakRecordings {
                started: 12,
                finished: 12,
                other_files: 0,
            },
            AppReport::Frames(FrameSummary {
                frames: 300,
                seconds: 10.25,
                p50_ms: 16.5,
                p99_ms: 40.0,
                samples_per_s: 2345.0,
                backend: "gpu (Vulkan, llvmpipe)".into(),
            }),
        ] {
            let line = serde_json::to_string(&report).unwrap();
            assert!(!line.contains('\n'));
            assert_eq!(AppReport::parse(&line), Some(report));
        }
    }

    #[test]
    fn other_lines_and_lost_figures_are_not_reports() {
        assert_eq!(AppReport::parse("2026 INFO soak-sample t=1"), None);
        assert_eq!(AppReport::parse("{\"report\":\"unknown\"}"), None);
        let not_a_number = AppReport::SoakSample(SoakSample {
            fps: f64::NAN,
            ..sample()
        });
        let line = serde_json::to_string(&not_a_number).unwrap();
        assert_eq!(AppReport::parse(&line), None, "{line}");
    }
}
