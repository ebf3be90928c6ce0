//! `cargo xtask strip-names [FILE]`: removes the `name` custom section (the
//! function names, a tenth of the module) from a WebAssembly file, in place.
//! Trunk runs it as a post-build hook on the page's module (its
//! `wasm-bindgen` call keeps the section, and `wasm-opt`, which would drop
//! it, is off); without FILE it strips `backprop-wasm_bg.wasm` in
//! `$TRUNK_STAGING_DIR`. Panics in the page then show `wasm-function[i]`
//! frames instead of Rust names.

use std::path::PathBuf;

pub fn strip_names(args: &[String]) -> Result<(), String> {
    let path = match args.first() {
        Some(f) => PathBuf::from(f),
        None => PathBuf::from(
            std::env::var_os("TRUNK_STAGING_DIR")
                .ok_or("strip-names: give a file, or run as a Trunk hook")?,
        )
        .join("backprop-wasm_bg.wasm"),
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let out = without_names(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if out.len() != bytes.len() {
        std::fs::write(&path, &out).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// An unsigned LEB128 at `b[i..]`: (value, index after it).
fn leb(b: &[u8], mut i: usize) -> Result<(usize, usize), String> {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        let byte = *b.get(i).ok_or("truncated module")?;
        i += 1;
        v |= usize::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok((v, i));
        }
        shift += 7;
        if shift > 28 {
            return Err("bad section size".into());
        }
    }
}

/// The module with every custom section called `name` left out, the rest byte for byte.
fn without_names(b: &[u8]) -> Result<Vec<u8>, String> {
    if b.len() < 8 || &b[..4] != b"\0asm" {
        return Err("not a WebAssembly module".into());
    }
    let mut out = b[..8].to_vec();
    let mut i = 8;
    while i < b.len() {
        let start = i;
        let id = b[i];
        let (size, body) = leb(b, i + 1)?;
        let end = body
            .checked_add(size)
            .filter(|&e| e <= b.len())
            .ok_or("truncated section")?;
        let is_names = id == 0 && {
            let (len, at) = leb(b, body)?;
            b.get(at..at + len) == Some(b"name")
        };
        if !is_names {
            out.extend_from_slice(&b[start..end]);
        }
        i = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = vec![name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(payload);
        let mut s = vec![0, body.len() as u8];
        s.extend(body);
        s
    }

    #[test]
    fn drops_only_the_name_section() {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let ty = [1u8, 4, 1, 0x60, 0, 0]; // a type section: one () -> () type
        m.extend_from_slice(&ty);
        m.extend(custom("name", &[1, 2, 3, 4, 5]));
        m.extend(custom("producers", &[9]));
        let out = without_names(&m).expect("valid");
        let mut want = b"\0asm\x01\0\0\0".to_vec();
        want.extend_from_slice(&ty);
        want.extend(custom("producers", &[9]));
        assert_eq!(out, want);
        assert_eq!(without_names(&out).expect("valid"), out, "nothing left to strip");
        assert!(without_names(b"\0asm\x01\0\0\0\x01\x09").is_err(), "truncated");
        assert!(without_names(b"not wasm").is_err());
    }
}
