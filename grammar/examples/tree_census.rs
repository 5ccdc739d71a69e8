//! Counts the subtrees of a parse by kind, hidden ones included. Tokens of
//! tree-sitter's own lexer (`=`, `,`, `--`, flag names) are stored inline in
//! their parent; every external-scanner token and every node with children is
//! a heap subtree (~90 bytes), so this is where a grammar change that saves
//! memory shows first.
//!
//!     cargo run --release -p tree-sitter-dockerfile-ls --example tree_census -- FILE

use std::collections::HashMap;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: tree_census FILE");
        std::process::exit(2);
    };
    let text = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile_ls::LANGUAGE.into())
        .expect("the grammar's ABI matches the runtime");
    let tree = parser.parse(&text, None).expect("no timeout is set");
    // the dot graph is the one view of the tree that shows hidden subtrees
    let dot_path = std::env::temp_dir().join(format!("tree-census-{}.dot", std::process::id()));
    let file = std::fs::File::create(&dot_path).expect("the temp dir is writable");
    tree.print_dot_graph(&file);
    drop(file);
    let dot = std::fs::read_to_string(&dot_path).unwrap_or_default();
    let _ = std::fs::remove_file(&dot_path);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in dot.lines().filter(|l| !l.contains("->")) {
        if let Some((_, rest)) = line.split_once("label=\"") {
            let label = rest.split('"').next().unwrap_or(rest);
            *counts.entry(label).or_default() += 1;
        }
    }
    let mut by_count: Vec<(&str, usize)> = counts.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: usize = by_count.iter().map(|(_, n)| n).sum();
    println!("{total} subtrees");
    for (kind, n) in by_count {
        println!("{n:8} {kind}");
    }
}
