//! Where training runs: on the very wgpu device Bevy renders with, or on the CPU.
//!
//! Bevy creates its renderer while plugins are built; in `finish` the render sub-app holds the
//! instance, adapter, device and queue, and burn is initialised on those same objects. One GPU
//! context serves both, so no second device competes for memory or scheduling.

use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::renderer::{RenderAdapter, RenderDevice, RenderInstance, RenderQueue};
use burn::backend::wgpu::{RuntimeOptions, WgpuDevice, WgpuSetup, init_device};

use crate::backend::{BackendChoice, Resolved, decide};

/// The device training runs on, chosen once at start-up.
#[derive(Resource, Clone, Debug)]
pub enum TrainingDevice {
    /// burn's wgpu backend on Bevy's own device.
    Gpu {
        device: WgpuDevice,
        resolved: Resolved,
    },
    /// burn's CPU backend.
    Cpu { resolved: Resolved },
}

impl TrainingDevice {
    /// The CPU, with the reason when it replaces a GPU that was asked for.
    pub fn cpu(reason: Option<String>) -> Self {
        Self::Cpu {
            resolved: Resolved::Cpu { reason },
        }
    }

    pub fn resolved(&self) -> &Resolved {
        match self {
            Self::Gpu { resolved, .. } | Self::Cpu { resolved } => resolved,
        }
    }
}

pub(in crate::app) struct ComputePlugin {
    pub choice: BackendChoice,
}

impl Plugin for ComputePlugin {
    fn build(&self, _app: &mut App) {}

    fn finish(&self, app: &mut App) {
        let device = if self.choice == BackendChoice::Cpu {
            TrainingDevice::cpu(None)
        } else {
            match app.get_sub_app(RenderApp).and_then(shared_setup) {
                Some(setup) => {
                    let info = setup.adapter.get_info();
                    let software = info.device_type == wgpu::DeviceType::Cpu;
                    match decide(self.choice, &info.name, software) {
                        resolved @ Resolved::Gpu { .. } => TrainingDevice::Gpu {
                            device: init_device(setup, RuntimeOptions::default()),
                            resolved,
                        },
                        resolved @ Resolved::Cpu { .. } => TrainingDevice::Cpu { resolved },
                    }
                }
                None => TrainingDevice::cpu(Some(
                    "the renderer has no GPU device to share: training on the CPU".into(),
                )),
            }
        };
        if let Resolved::Cpu {
            reason: Some(reason),
        } = device.resolved()
        {
            warn!("{reason}");
        }
        info!("training on {}", device.resolved().describe());
        app.insert_resource(device);
    }
}

/// burn's setup made of the render world's wgpu objects, if the renderer started.
fn shared_setup(render_app: &SubApp) -> Option<WgpuSetup> {
    let world = render_app.world();
    let instance = world.get_resource::<RenderInstance>()?;
    let adapter = world.get_resource::<RenderAdapter>()?;
    let device = world.get_resource::<RenderDevice>()?;
    let queue = world.get_resource::<RenderQueue>()?;
    Some(WgpuSetup {
        instance: (**instance.0).clone(),
        adapter: (**adapter.0).clone(),
        device: device.wgpu_device().clone(),
        queue: (**queue.0).clone(),
        backend: adapter.get_info().backend,
    })
}
