//! Dependency graphs (Dag task members, input `dependsOn`): unknown targets and cycles.

use std::collections::HashMap;

/// A cycle in `edges` (node -> the nodes it depends on), as the node ids along it with the first
/// repeated at the end, or `None`. Targets that are not nodes are ignored (reported elsewhere).
/// Nodes are visited in the order given, so the cycle reported is deterministic.
pub(crate) fn find_cycle<'a>(edges: &[(&'a str, Vec<&'a str>)]) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unvisited,
        InProgress,
        Done,
    }
    let index: HashMap<&str, usize> = edges.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let mut marks = vec![Mark::Unvisited; edges.len()];
    for start in 0..edges.len() {
        if marks[start] != Mark::Unvisited {
            continue;
        }
        // Depth-first with an explicit stack of (node, next edge to follow).
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::InProgress;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(target) = edges[node].1.get(*next) else {
                marks[node] = Mark::Done;
                stack.pop();
                continue;
            };
            *next += 1;
            let Some(&target) = index.get(target) else { continue };
            match marks[target] {
                Mark::InProgress => {
                    let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[from..].iter().map(|(n, _)| edges[*n].0.to_string()).collect();
                    cycle.push(edges[target].0.to_string());
                    return Some(cycle);
                }
                Mark::Unvisited => {
                    marks[target] = Mark::InProgress;
                    stack.push((target, 0));
                }
                Mark::Done => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acyclic_graphs_have_no_cycle() {
        let edges = vec![("a", vec![]), ("b", vec!["a"]), ("c", vec!["a", "b"]), ("d", vec!["missing"])];
        assert_eq!(find_cycle(&edges), None);
    }

    #[test]
    fn finds_self_loops_and_longer_cycles() {
        assert_eq!(find_cycle(&[("a", vec!["a"])]), Some(vec!["a".into(), "a".into()]));
        let edges = vec![("a", vec!["c"]), ("b", vec!["a"]), ("c", vec!["b"]), ("d", vec!["a"])];
        assert_eq!(find_cycle(&edges), Some(vec!["a".into(), "c".into(), "b".into(), "a".into()]));
    }
}
