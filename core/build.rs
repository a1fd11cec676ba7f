//! Precompiles the built-in scenarios (`scenarios/*.toml`) to JSON in `OUT_DIR`, so a
//! build without the `text` feature (the web app) loads them with the JSON parser it
//! has anyway, and ships no TOML parser. The conversion is generic (TOML values to JSON
//! values); `builtin.rs` tests that both forms give the same scenarios.

use std::{env, fs, path::Path};

fn main() {
    let src = Path::new("scenarios");
    println!("cargo:rerun-if-changed=scenarios");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("scenarios");
    fs::create_dir_all(&out).expect("OUT_DIR is writable");
    for entry in fs::read_dir(src).expect("core/scenarios exists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).expect("a readable scenario");
        let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json = serde_json::to_string(&value).expect("TOML values are JSON values");
        let name = path.file_stem().expect("a file name").to_string_lossy().into_owned();
        fs::write(out.join(format!("{name}.json")), json).expect("OUT_DIR is writable");
    }
}
