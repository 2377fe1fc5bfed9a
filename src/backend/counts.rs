//! What a stretch of GPU work costs in API calls, counted from wgpu's own record of them.
//!
//! wgpu can write every call a device receives to a trace folder (its `trace` feature, the
//! record its `player` replays). [`TracedGpu`] opens a burn device on a wgpu device created
//! with such a trace; [`TracedGpu::count`] reads back what was recorded between two points:
//! kernel dispatches, queue submissions, host→device writes and device→host reads. These are
//! the calls the driver really received, whatever burn, fusion or cubecl did above them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use burn::backend::wgpu::{RuntimeOptions, WgpuDevice, WgpuSetup, init_device};

/// The calls counted over a stretch of work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Compute dispatches (kernel launches), direct and indirect.
    pub dispatches: u64,
    /// `queue.submit` calls.
    pub submissions: u64,
    /// Writes of tensor data from the host into storage buffers (`from_data` and the like).
    pub uploads: u64,
    /// Writes of kernel arguments (shapes, strides, scalars) into uniform buffers: cubecl's
    /// per-launch metadata, counted apart from tensor uploads.
    pub argument_writes: u64,
    /// Copies into host-readable buffers: each is one tensor read back to the host.
    pub reads: u64,
    /// Dispatches per kernel (the pipeline's label, which cubecl sets to the kernel's name),
    /// most frequent first.
    pub kernels: Vec<(String, u64)>,
}

/// A burn wgpu device whose every API call is recorded in a trace folder.
pub struct TracedGpu {
    pub device: WgpuDevice,
    pub adapter: String,
    folder: PathBuf,
}

/// The trace file wgpu writes in its folder.
const TRACE_FILE: &str = "trace.ron";

impl TracedGpu {
    /// Opens the high-performance adapter with a trace in `folder` (which must exist), the way
    /// burn opens its own device.
    pub fn open(folder: &Path) -> Result<Self, String> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::from_env().unwrap_or_else(wgpu::Backends::all),
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
        }))
        .map_err(|e| format!("no GPU adapter: {e}"))?;
        let (device, queue) = pollster::block_on(
            adapter.request_device(&wgpu::DeviceDescriptor {
                label: Some("ganimate (traced)"),
                required_features: adapter
                    .features()
                    .difference(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS),
                required_limits: adapter.limits(),
                memory_hints: wgpu::MemoryHints::MemoryUsage,
                trace: wgpu::Trace::Directory(folder.to_path_buf()),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
            }),
        )
        .map_err(|e| format!("could not open the GPU: {e}"))?;
        let info = adapter.get_info();
        let setup = WgpuSetup {
            instance,
            adapter,
            device,
            queue,
            backend: info.backend,
        };
        Ok(Self {
            device: init_device(setup, RuntimeOptions::default()),
            adapter: info.name,
            folder: folder.to_path_buf(),
        })
    }

    /// Where the trace has got to: pass two marks to [`Self::count`]. Call it when the device
    /// is idle (after a sync), so that no earlier work is still to be recorded.
    pub fn mark(&self) -> u64 {
        std::fs::metadata(self.folder.join(TRACE_FILE)).map_or(0, |m| m.len())
    }

    /// Counts the calls recorded between marks `from` and `to`.
    pub fn count(&self, from: u64, to: u64) -> Result<Counts, String> {
        let path = self.folder.join(TRACE_FILE);
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let to = (to as usize).min(text.len());
        let from = (from as usize).min(to);
        Ok(count_actions(
            &String::from_utf8_lossy(&text[..from]),
            &String::from_utf8_lossy(&text[from..to]),
        ))
    }
}

/// Counts the calls in `window`, a run of whole actions of a wgpu trace; `before` is the trace
/// up to it, where the buffers `window` writes to and reads from were created.
pub fn count_actions(before: &str, window: &str) -> Counts {
    let mut usages = HashMap::new();
    let mut pipelines = HashMap::new();
    for action in actions(before).chain(actions(window)) {
        if let Some(rest) = action.strip_prefix("CreateBuffer(") {
            if let (Some(id), Some(usage)) = (first_pointer(rest), field(rest, "usage:")) {
                usages.insert(id, usage.to_string());
            }
        } else if let Some(rest) = action.strip_prefix("CreateComputePipeline(")
            && let (Some(id), Some(label)) = (first_pointer(rest), field(rest, "label:"))
        {
            let label = label.trim_start_matches("Some(\"").trim_end_matches("\")");
            pipelines.insert(id, label.to_string());
        }
    }
    let usage_of = |id: Option<&str>| id.and_then(|id| usages.get(id)).map(String::as_str);
    let mut counts = Counts::default();
    let mut kernels: HashMap<&str, u64> = HashMap::new();
    for action in actions(window) {
        if let Some(rest) = action.strip_prefix("WriteBuffer(") {
            let target = first_pointer(rest.split("id:").nth(1).unwrap_or(rest));
            if usage_of(target).is_some_and(|usage| usage.contains("UNIFORM")) {
                counts.argument_writes += 1;
            } else {
                counts.uploads += 1;
            }
        } else if let Some(rest) = action.strip_prefix("Submit(") {
            counts.submissions += 1;
            let mut pipeline = None;
            for line in rest.lines() {
                if line.contains("SetPipeline(") {
                    pipeline = first_pointer(line);
                } else if line.contains("Dispatch(") || line.contains("DispatchIndirect") {
                    counts.dispatches += 1;
                    let name = pipeline
                        .and_then(|id| pipelines.get(id))
                        .map_or("(unnamed)", String::as_str);
                    *kernels.entry(name).or_default() += 1;
                }
            }
            for copy in rest.split("CopyBufferToBuffer(").skip(1) {
                let destination = copy.split("dst:").nth(1).and_then(first_pointer);
                if usage_of(destination).is_some_and(|usage| usage.contains("MAP_READ")) {
                    counts.reads += 1;
                }
            }
        }
    }
    counts.kernels = kernels
        .into_iter()
        .map(|(name, n)| (name.to_string(), n))
        .collect();
    counts
        .kernels
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// The top-level actions of trace text: each starts at the beginning of a line (wgpu writes
/// them pretty-printed, so everything nested is indented).
fn actions(text: &str) -> impl Iterator<Item = &str> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(|c: char| c.is_ascii_alphabetic()) {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(move |w| &text[w[0]..w[1]])
        .collect::<Vec<_>>()
        .into_iter()
}

/// The first `PointerId(…)` in `text`, as written.
fn first_pointer(text: &str) -> Option<&str> {
    let start = text.find("PointerId(")?;
    let end = text[start..].find(')')? + start + 1;
    Some(&text[start..end])
}

/// The value after `name` in `text`, up to the end of its line.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(name)? + name.len();
    let line = text[start..].lines().next()?;
    Some(line.trim().trim_end_matches(','))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trace as wgpu writes it: a storage and a uniform buffer, a host-readable one, and a
    /// pipeline, created before the window; then two submissions and three writes in it.
    const BEFORE: &str = r#"[
Init(
    desc: (),
    backend: Vulkan,
),
CreateBuffer(PointerId(1), (
    label: None,
    size: 1024,
    usage: "COPY_SRC | COPY_DST | STORAGE",
    mapped_at_creation: false,
)),
CreateBuffer(PointerId(2), (
    label: None,
    size: 64,
    usage: "COPY_DST | UNIFORM | STORAGE",
    mapped_at_creation: false,
)),
CreateBuffer(PointerId(3), (
    label: None,
    size: 16,
    usage: "MAP_READ | COPY_DST",
    mapped_at_creation: false,
)),
CreateComputePipeline(
    id: Some(PointerId(7)),
    desc: (
        label: Some("matmul"),
    ),
),
"#;

    const WINDOW: &str = r#"WriteBuffer(
    id: PointerId(2),
    data: File("data1.bin"),
    offset: 0,
    size: 64,
    queued: true,
),
WriteBuffer(
    id: PointerId(1),
    data: File("data2.bin"),
    offset: 0,
    size: 1024,
    queued: true,
),
WriteBuffer(
    id: PointerId(2),
    data: File("data3.bin"),
    offset: 0,
    size: 64,
    queued: true,
),
Submit(1, [
    RunComputePass(
        pass: (
            commands: [
                SetPipeline(PointerId(7)),
                Dispatch((4, 1, 1)),
                Dispatch((2, 1, 1)),
                SetPipeline(PointerId(9)),
                DispatchIndirect(
                    buffer: PointerId(1),
                    offset: 0,
                ),
            ],
        ),
    ),
]),
Submit(2, [
    CopyBufferToBuffer(
        src: PointerId(1),
        src_offset: 0,
        dst: PointerId(3),
        dst_offset: 0,
        size: Some(16),
    ),
    CopyBufferToBuffer(
        src: PointerId(1),
        src_offset: 0,
        dst: PointerId(1),
        dst_offset: 256,
        size: Some(16),
    ),
]),
"#;

    #[test]
    fn counts_each_kind_of_call_in_the_window_only() {
        let counts = count_actions(BEFORE, WINDOW);
        assert_eq!(
            (
                counts.dispatches,
                counts.submissions,
                counts.uploads,
                counts.argument_writes,
                counts.reads
            ),
            (3, 2, 1, 2, 1)
        );
        assert_eq!(
            counts.kernels,
            vec![("matmul".to_string(), 2), ("(unnamed)".to_string(), 1)]
        );
        // Nothing happened before the window as far as the counts go.
        assert_eq!(count_actions("", BEFORE), Counts::default());
    }
}
