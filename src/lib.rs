//! ganimate: train a GAN on MNIST live, watch it learn, walk its latent space; and see the game
//! itself on 1D and 2D points in the toy lab.
//!
//! The library holds everything; `main.rs` only calls [`cli::run`].

pub mod app;
pub mod backend;
pub mod cli;
pub mod data;
pub mod fsutil;
pub mod gan;
pub mod judge;
pub mod linalg;
pub mod records;
pub mod report;
pub mod soak;
pub mod toy;
pub mod video;
