//! Reading and writing files: JSON read into a small tree with limits (`json`),
//! configs decoded from it with errors that name the field (`decode`), and
//! model files (`model_io`), points as CSV (`csv`).

pub mod csv;
mod decode;
pub mod json;
pub mod model_io;
