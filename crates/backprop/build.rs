//! `cfg(lanes)`: the kernels' explicit two-lane f64 SIMD path exists on this
//! target (wasm32 with simd128, or x86-64, whose baseline includes SSE2).
fn main() {
    println!("cargo:rustc-check-cfg=cfg(lanes)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let simd128 = features.split(',').any(|f| f == "simd128");
    if (arch == "wasm32" && simd128) || arch == "x86_64" {
        println!("cargo:rustc-cfg=lanes");
    }
}
