//! The WIT package is the component's public documentation: every interface, world, type,
//! field, case and function in `wit/*.wit` carries a `///` doc comment.

use std::path::Path;

/// Lines that declare something (as opposed to closing braces, `use`, `export`, `include`,
/// the package line and the continuation of a signature).
fn declares_something(line: &str) -> bool {
    let skipped = ["}", ")", "->", "package ", "use ", "export ", "import ", "include "];
    !line.is_empty() && !line.starts_with("//") && !skipped.iter().any(|prefix| line.starts_with(prefix))
}

#[test]
fn every_wit_item_has_a_doc_comment() {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let mut undocumented = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&wit).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wit") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let mut previous = "";
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if declares_something(line) && !previous.starts_with("///") {
                undocumented.push(format!("{}:{}: {line}", path.file_name().unwrap().to_string_lossy(), number + 1));
            }
            previous = line;
        }
    }
    assert!(files >= 4, "found only {files} WIT files in {}", wit.display());
    assert!(undocumented.is_empty(), "undocumented WIT items:\n{}", undocumented.join("\n"));
}
