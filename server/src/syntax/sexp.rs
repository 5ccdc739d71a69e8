use tree_sitter::Node;

/// The tree as an S-expression with field names and positions, in the shape
/// `tree-sitter parse` prints, so the two can be compared side by side.
pub fn to_sexp(root: Node<'_>) -> String {
    let mut out = String::new();
    let mut cursor = root.walk();
    let mut depth = 0usize;
    let mut needs_newline = false;
    loop {
        let node = cursor.node();
        if node.is_named() || node.is_missing() {
            if needs_newline {
                out.push('\n');
            }
            out.extend(std::iter::repeat_n("  ", depth));
            if let Some(field) = cursor.field_name() {
                out.push_str(field);
                out.push_str(": ");
            }
            let start = node.start_position();
            let end = node.end_position();
            let kind = if node.is_missing() {
                format!("MISSING {}", node.kind())
            } else {
                node.kind().to_string()
            };
            out.push_str(&format!(
                "({kind} [{}, {}] - [{}, {}]",
                start.row, start.column, end.row, end.column
            ));
            needs_newline = true;
        }
        if cursor.goto_first_child() {
            if node.is_named() || node.is_missing() {
                depth += 1;
            }
            continue;
        }
        if node.is_named() || node.is_missing() {
            out.push(')');
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                out.push('\n');
                return out;
            }
            let parent = cursor.node();
            if parent.is_named() || parent.is_missing() {
                out.push(')');
                depth -= 1;
            }
        }
    }
}
