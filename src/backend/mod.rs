//! The edge where a concrete burn backend is chosen: wgpu on a GPU, or flex on the CPU when
//! asked for, or when no GPU adapter exists.

use burn::backend::wgpu::graphics::{AutoGraphicsApi, GraphicsApi};
use burn::backend::{Autodiff, Flex, Wgpu};

pub mod counts;

/// The GPU through wgpu (Vulkan, Metal or DX12), with fusion.
pub type Gpu = Wgpu;
/// The CPU through burn-flex: gemm's SIMD kernels on every core. It trains these MLPs about
/// 1.5× faster than burn-ndarray (see the README's performance section).
pub type Cpu = Flex;
/// Training on the GPU.
pub type GpuBackend = Autodiff<Gpu>;
/// Training on the CPU: the fallback, and the reproducible reference.
pub type CpuBackend = Autodiff<Cpu>;

/// Niceness of threads that work in the background of a desktop app (training, judging): the
/// threads that draw frames come first, the background takes the rest. Measured in the app
/// on 2 cores drawing with lavapipe (README, performance): at 0, training ran fastest but
/// frame p99 rose to 1.45× the paused figure; at 7, frames are as smooth as paused.
pub const BACKGROUND_NICENESS: i32 = 7;

/// Sets the calling thread's scheduling niceness, so that it yields the cores to threads of
/// normal priority (Linux; elsewhere this does nothing).
pub fn set_thread_niceness(niceness: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; for a thread id of this process it
    // changes that thread's niceness and nothing else.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, niceness);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = niceness;
}

/// Starts the thread pool the CPU backend computes on (rayon's global pool) with its threads
/// at `niceness`. It only takes effect before anything has used the pool.
pub fn lower_cpu_pool_priority(niceness: i32) {
    let _ = rayon::ThreadPoolBuilder::new()
        .start_handler(move |_| set_thread_niceness(niceness))
        .build_global();
}

/// Runs `work` on a thread of the CPU backend's pool (rayon's global pool) instead of beside
/// it. Then the thread that trains takes its own share of every parallel matrix product and
/// wakes one helper, instead of handing each product to the pool and sleeping until it is done.
/// `work` must not block on anything but its own computation: it holds a pool thread.
pub fn on_cpu_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| work())
}

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BackendChoice {
    /// The GPU when there is a hardware one; the CPU where the only adapter is a software
    /// rasteriser (llvmpipe, WARP), which trains ~80× slower than the CPU backend.
    #[default]
    Auto,
    /// wgpu on whatever adapter exists, software ones included.
    Gpu,
    /// burn's flex backend: reproducible bit for bit.
    Cpu,
}

/// The backend a run actually uses, with what a user needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Gpu { adapter: String, software: bool },
    Cpu { reason: Option<String> },
}

impl Resolved {
    /// True where training runs at CPU speed: the CPU backend, or a software GPU adapter.
    pub fn without_gpu(&self) -> bool {
        matches!(
            self,
            Resolved::Cpu { .. } | Resolved::Gpu { software: true, .. }
        )
    }

    /// A short description for status lines, e.g. `gpu (NVIDIA H100)`.
    pub fn describe(&self) -> String {
        match self {
            Resolved::Gpu {
                adapter,
                software: false,
            } => format!("gpu ({adapter})"),
            Resolved::Gpu {
                adapter,
                software: true,
            } => format!("gpu ({adapter}, software adapter)"),
            Resolved::Cpu { .. } => "cpu (flex)".to_string(),
        }
    }
}

/// Picks the backend: `gpu` falls back to `cpu`, with the reason, when no adapter exists.
pub fn resolve(choice: BackendChoice) -> Resolved {
    if choice == BackendChoice::Cpu {
        return Resolved::Cpu { reason: None };
    }
    match probe_gpu() {
        Some(info) => decide(
            choice,
            &info.name,
            info.device_type == wgpu::DeviceType::Cpu,
        ),
        None => Resolved::Cpu {
            reason: Some(format!(
                "no {:?} GPU adapter found; training on the CPU backend instead",
                AutoGraphicsApi::backend()
            )),
        },
    }
}

/// What `choice` means on an adapter that exists: `auto` turns software adapters down.
pub fn decide(choice: BackendChoice, adapter: &str, software: bool) -> Resolved {
    match choice {
        BackendChoice::Cpu => Resolved::Cpu { reason: None },
        BackendChoice::Auto if software => Resolved::Cpu {
            reason: Some(format!(
                "the only GPU adapter is {adapter}, a software rasteriser far slower than the \
                 CPU backend: training on the CPU (--backend gpu forces wgpu)"
            )),
        },
        BackendChoice::Auto | BackendChoice::Gpu => Resolved::Gpu {
            adapter: adapter.to_string(),
            software,
        },
    }
}

/// The graphics APIs the app's renderer may use. wgpu probes OpenGL beside Vulkan, Metal and
/// DX12, and on Linux without a GL driver for the display that probe logs an error at every start
/// although Vulkan works. OpenGL stays the fallback where none of the others has an adapter;
/// `WGPU_BACKEND` decides when set.
pub fn render_backends() -> wgpu::Backends {
    if let Some(backends) = wgpu::Backends::from_env() {
        return backends;
    }
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends: wgpu::Backends::PRIMARY,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    if pollster::block_on(instance.enumerate_adapters(wgpu::Backends::PRIMARY)).is_empty() {
        wgpu::Backends::all()
    } else {
        wgpu::Backends::PRIMARY
    }
}

/// The adapter burn's wgpu backend would pick (high-performance preference), if any.
fn probe_gpu() -> Option<wgpu::AdapterInfo> {
    let backend = AutoGraphicsApi::backend();
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends: backend.into(),
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        force_fallback_adapter: false,
        compatible_surface: None,
    }))
    .ok()?;
    Some(adapter.get_info())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_turns_down_software_adapters_and_gpu_does_not() {
        let llvmpipe = "llvmpipe (LLVM 15.0.6, 256 bits)";
        match decide(BackendChoice::Auto, llvmpipe, true) {
            Resolved::Cpu {
                reason: Some(reason),
            } => {
                assert!(
                    reason.contains(llvmpipe) && reason.contains("--backend gpu"),
                    "{reason}"
                )
            }
            other => panic!("auto on a software adapter: {other:?}"),
        }
        assert!(matches!(
            decide(BackendChoice::Gpu, llvmpipe, true),
            Resolved::Gpu { software: true, .. }
        ));
        assert!(matches!(
            decide(BackendChoice::Auto, "NVIDIA H100", false),
            Resolved::Gpu {
                software: false,
                ..
            }
        ));
        assert_eq!(
            decide(BackendChoice::Cpu, "NVIDIA H100", false),
            Resolved::Cpu { reason: None }
        );
    }
}
