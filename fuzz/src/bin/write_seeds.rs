//! Writes the seed corpora: `cargo run --bin write_seeds` from `fuzz/` (re-run after adding
//! rule types or examples). Rule document seeds are the example of every rule type and the
//! project's example rule files; Arrow IPC seeds are the shared orders table, cut at several
//! points so the fuzzer starts from valid and truncated streams.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules_dir = root.join("corpus/rule_document");
    std::fs::create_dir_all(&rules_dir)?;
    for rule_type in truthound_guest::rules::rule_types() {
        write_seed(&rules_dir, rule_type.name, 0, rule_type.doc.example.as_bytes())?;
    }
    for (name, format) in [("orders.rules.yaml", 0), ("orders.gx.json", 1), ("orders.pandera.yaml", 2)] {
        let document = std::fs::read(root.join("../examples").join(name))?;
        write_seed(&rules_dir, name, format, &document)?;
    }
    let ipc_dir = root.join("corpus/arrow_ipc");
    std::fs::create_dir_all(&ipc_dir)?;
    let orders = truthound_fuzz::orders_ipc();
    std::fs::write(ipc_dir.join("orders.arrows"), &orders)?;
    std::fs::write(ipc_dir.join("orders-truncated.arrows"), &orders[..orders.len() * 2 / 3])?;
    Ok(())
}

/// A seed of the rule-document target: the format selector byte, then the document.
fn write_seed(dir: &Path, name: &str, format: u8, document: &[u8]) -> std::io::Result<()> {
    let mut seed = vec![format];
    seed.extend_from_slice(document);
    std::fs::write(dir.join(name), seed)
}
