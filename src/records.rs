//! Loading burn records from bytes that may be damaged. burn's decoder panics on some damage
//! (a parameter id that is neither base32 nor a UUID: found by `tests/fuzz.rs`), so a panic
//! while decoding becomes an error here, and its message is kept off the terminal: the caller
//! reports the file as damaged instead.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use burn::prelude::Backend;
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Record, Recorder};

thread_local! {
    /// Set while this thread decodes: its panics are caught and reported as errors.
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

/// The recorder ganimate's weights files are written with.
pub fn recorder() -> NamedMpkBytesRecorder<FullPrecisionSettings> {
    NamedMpkBytesRecorder::default()
}

/// Decodes a record written by [`recorder`]; any damage is an `Err` with what was wrong.
pub fn load<B: Backend, R: Record<B>>(bytes: Vec<u8>, device: &B::Device) -> Result<R, String> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    DECODING.with(|flag| flag.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(|| recorder().load::<R>(bytes, device)));
    DECODING.with(|flag| flag.set(false));
    match outcome {
        Ok(result) => result.map_err(|err| err.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the decoder stopped".into());
            Err(format!("damaged record: {message}"))
        }
    }
}
