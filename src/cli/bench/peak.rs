//! An estimate of what this machine's CPU cores can compute, to say what share of it a
//! training step reaches.

/// Single-precision operations per cycle and core: two fused multiply-add units (as on recent
/// Intel and AMD server cores) of 16 lanes with AVX-512, 8 with AVX2, 4 with SSE, each
/// multiply-add two operations. `None` off x86-64, where the width is not known here.
fn flops_per_cycle() -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    {
        let lanes = if is_x86_feature_detected!("avx512f") {
            16.0
        } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            8.0
        } else {
            4.0
        };
        Some(2.0 * 2.0 * lanes)
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The fastest core's clock in GHz, as Linux reports it in `/proc/cpuinfo`.
fn clock_ghz() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .filter(|line| line.starts_with("cpu MHz"))
        .filter_map(|line| line.split(':').nth(1)?.trim().parse::<f64>().ok())
        .reduce(f64::max)
        .map(|mhz| mhz / 1000.0)
}

/// The machine's single-precision peak in GFLOP/s, with how it was worked out; `None` where
/// the clock or the vector width is unknown.
pub(super) fn cpu_peak() -> Option<(f64, String)> {
    let cores = std::thread::available_parallelism().ok()?.get() as f64;
    let (ghz, per_cycle) = (clock_ghz()?, flops_per_cycle()?);
    let peak = cores * ghz * per_cycle;
    Some((
        peak,
        format!("{cores} cores × {ghz:.2} GHz × {per_cycle} FLOP/cycle = {peak:.0} GFLOP/s"),
    ))
}
