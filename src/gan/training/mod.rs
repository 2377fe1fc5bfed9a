//! Training: the guarded loop every front end runs ([`run`]), the trainer's steps, and what
//! they are made of.

pub mod adam;
pub mod augment;
mod flops;
pub mod guard;
pub mod inputs;
pub mod loss;
mod real_images;
pub mod run;
mod slot;
pub mod stats;
pub mod trainer;
