//! The edge where a concrete burn backend is chosen: wgpu on a GPU, or ndarray on the CPU when
//! asked for, or when no GPU adapter exists.

use burn::backend::wgpu::graphics::{AutoGraphicsApi, GraphicsApi};
use burn::backend::{Autodiff, NdArray, Wgpu};

/// Training on the GPU through wgpu (Vulkan, Metal or DX12).
pub type GpuBackend = Autodiff<Wgpu>;
/// Training on the CPU through ndarray: the fallback, and the reproducible reference.
pub type CpuBackend = Autodiff<NdArray>;

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BackendChoice {
    #[default]
    Gpu,
    Cpu,
}

/// The backend a run actually uses, with what a user needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Gpu { adapter: String, software: bool },
    Cpu { reason: Option<String> },
}

impl Resolved {
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
            Resolved::Cpu { .. } => "cpu (ndarray)".to_string(),
        }
    }
}

/// Picks the backend: `gpu` falls back to `cpu`, with the reason, when no adapter exists.
pub fn resolve(choice: BackendChoice) -> Resolved {
    match choice {
        BackendChoice::Cpu => Resolved::Cpu { reason: None },
        BackendChoice::Gpu => match probe_gpu() {
            Some(info) => Resolved::Gpu {
                software: info.device_type == wgpu::DeviceType::Cpu,
                adapter: info.name,
            },
            None => Resolved::Cpu {
                reason: Some(format!(
                    "no {:?} GPU adapter found; training on the CPU backend instead",
                    AutoGraphicsApi::backend()
                )),
            },
        },
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
