//! CPU time of this process's threads, read from Linux's `/proc/self/task/*/schedstat`
//! (nanoseconds on the CPU), to say where the host's time per training step goes: the thread
//! that calls the trainer, burn's device runners (cubecl's `DSU-…` thread builds the autodiff
//! graph and fuses, its `DSD-…` thread compiles and launches kernels), and the rest, which on
//! lavapipe is the driver executing the kernels.

use std::collections::HashMap;

/// Each live thread's name and CPU time at one moment.
pub(super) struct ThreadTimes {
    /// The calling thread's id.
    caller: u32,
    /// Thread id → (name, nanoseconds on the CPU).
    threads: HashMap<u32, (String, u64)>,
}

/// CPU seconds between two [`ThreadTimes`], by role.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HostTime {
    /// The thread that called [`ThreadTimes::now`] both times.
    pub(super) caller: f64,
    /// burn's device runner threads.
    pub(super) runners: f64,
    /// Every other thread.
    pub(super) others: f64,
}

impl ThreadTimes {
    /// `None` where `/proc` has no per-thread scheduler figures (not Linux).
    pub(super) fn now() -> Option<Self> {
        let mut threads = HashMap::new();
        for entry in std::fs::read_dir("/proc/self/task").ok()? {
            let path = entry.ok()?.path();
            let Some(id) = path.file_name().and_then(|n| n.to_str()?.parse().ok()) else {
                continue;
            };
            // A thread can end between the listing and the reads: it is then left out.
            let (Ok(schedstat), Ok(name)) = (
                std::fs::read_to_string(path.join("schedstat")),
                std::fs::read_to_string(path.join("comm")),
            ) else {
                continue;
            };
            let nanoseconds = schedstat.split_whitespace().next()?.parse().ok()?;
            threads.insert(id, (name.trim().to_string(), nanoseconds));
        }
        // SAFETY: gettid takes no arguments and cannot fail.
        let caller = unsafe { libc::gettid() } as u32;
        threads
            .contains_key(&caller)
            .then_some(Self { caller, threads })
    }

    /// The CPU time each role spent since `earlier`; threads started since count from zero.
    pub(super) fn since(&self, earlier: &ThreadTimes) -> HostTime {
        let mut time = HostTime {
            caller: 0.0,
            runners: 0.0,
            others: 0.0,
        };
        for (id, (name, now)) in &self.threads {
            let before = earlier.threads.get(id).map_or(0, |(_, ns)| *ns);
            let seconds = now.saturating_sub(before) as f64 * 1e-9;
            if *id == self.caller {
                time.caller += seconds;
            } else if is_device_runner(name) {
                time.runners += seconds;
            } else {
                time.others += seconds;
            }
        }
        time
    }
}

/// cubecl names its runner threads `DSU-<type>-<index>` (upstream) and `DSD-…` (downstream).
fn is_device_runner(name: &str) -> bool {
    name.starts_with("DSU-") || name.starts_with("DSD-")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calling thread's CPU time from the kernel's thread clock, a second source.
    fn thread_clock() -> f64 {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid timespec for the call to fill.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
        now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
    }

    #[test]
    fn the_callers_own_work_is_counted_as_the_callers() {
        let before = ThreadTimes::now().expect("Linux has /proc/self/task/*/schedstat");
        let start = thread_clock();
        let mut x = 0u64;
        while thread_clock() - start < 0.05 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let time = ThreadTimes::now().unwrap().since(&before);
        assert!(
            (0.045..0.1).contains(&time.caller),
            "50 ms of this thread's CPU read as {} s",
            time.caller
        );
    }

    #[test]
    fn runner_threads_are_told_apart_by_name() {
        assert!(is_device_runner("DSU-3-0"));
        assert!(is_device_runner("DSD-3-0"));
        assert!(!is_device_runner("llvmpipe-0"));
        assert!(!is_device_runner("ganimate"));
    }
}
