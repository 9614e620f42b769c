//! Embeds `../migrations/*.sql` so the native store applies exactly the
//! migrations that `wrangler d1 migrations apply` applies to D1.

use std::{env, fs, io, path::Path};

fn main() -> io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    let mut out = String::from("/// Every D1 migration, in the order wrangler applies them.\n");
    out.push_str("pub const MIGRATIONS: &[Migration] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    Migration {{ name: {name:?}, sql: include_str!({:?}) }},\n",
            path.canonicalize()?.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&env::var("OUT_DIR").map_err(io::Error::other)?).join("migrations.rs");
    fs::write(target, out)
}
