//! Terminal progress bars.

use indicatif::{ProgressBar, ProgressStyle};

/// Draws a download's progress on stderr.
#[derive(Default)]
pub struct DownloadBar {
    bar: Option<ProgressBar>,
}

impl crate::data::download::Progress for DownloadBar {
    fn start(&mut self, file: &str, total_bytes: Option<u64>) {
        let bar = match total_bytes {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::no_length(),
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:30} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(format!("downloading {file}"));
        self.bar = Some(bar);
    }

    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The training bar: step count, epoch, the four figures and throughput in the message.
pub fn training_bar(start: u64, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_position(start);
    bar.set_style(
        ProgressStyle::with_template("{bar:24} {pos}/{len} {msg} [{elapsed_precise} < {eta}]")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

/// A bar counting items of known total, e.g. frames of a render.
pub fn count_bar(total: u64, message: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} [{elapsed_precise} < {eta}]")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}
