//! Task dependencies as Kestra structure: a chain is a plain list, a graph is a `Dag`, and
//! independent tasks may run in a `Parallel`.

use super::yaml::Node;
use std::collections::BTreeSet;

pub const DAG_TYPE: &str = "io.kestra.plugin.core.flow.Dag";
pub const PARALLEL_TYPE: &str = "io.kestra.plugin.core.flow.Parallel";

/// A task on a dependency cycle, if there is one.
pub fn find_cycle(graph: &[(String, Vec<String>)]) -> Option<String> {
    order(graph).err()
}

/// Topological order, stable in list order; `Err` names a task on a cycle.
fn order(graph: &[(String, Vec<String>)]) -> Result<Vec<usize>, String> {
    let mut done = BTreeSet::new();
    let mut out: Vec<usize> = Vec::new();
    while out.len() < graph.len() {
        let next = graph
            .iter()
            .enumerate()
            .find(|(i, (_, deps))| !done.contains(i) && deps.iter().all(|d| out.iter().any(|&j| graph[j].0 == *d)));
        match next {
            Some((i, _)) => {
                done.insert(i);
                out.push(i);
            }
            None => {
                let stuck = (0..graph.len()).find(|i| !done.contains(i)).expect("some task is left");
                return Err(graph[stuck].0.clone());
            }
        }
    }
    Ok(out)
}

/// Every task `id` depends on, directly or not.
fn ancestors(graph: &[(String, Vec<String>)], id: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![id.to_string()];
    while let Some(current) = stack.pop() {
        if let Some((_, deps)) = graph.iter().find(|(t, _)| *t == current) {
            for dep in deps {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
    }
    seen
}

fn unique_id(base: &str, taken: &BTreeSet<String>) -> String {
    (0..).map(|n| if n == 0 { base.to_string() } else { format!("{base}_{n}") }).find(|id| !taken.contains(id)).unwrap()
}

/// The top-level task list for tasks `(id, node, depends_on)` (acyclic, checked before).
pub fn arrange(tasks: Vec<(String, Node, Vec<String>)>, parallel: bool) -> Vec<Node> {
    let graph: Vec<(String, Vec<String>)> = tasks.iter().map(|(id, _, deps)| (id.clone(), deps.clone())).collect();
    let taken: BTreeSet<String> = graph.iter().map(|(id, _)| id.clone()).collect();
    let no_dependencies = graph.iter().all(|(_, deps)| deps.is_empty());
    if no_dependencies {
        let nodes: Vec<Node> = tasks.into_iter().map(|(_, node, _)| node).collect();
        if parallel && nodes.len() > 1 {
            return vec![Node::Map(vec![
                ("id".into(), Node::Str(unique_id("parallel", &taken))),
                ("type".into(), Node::str(PARALLEL_TYPE)),
                ("tasks".into(), Node::Seq(nodes)),
            ])];
        }
        return nodes;
    }
    let sorted = order(&graph).expect("cycles are rejected before");
    let chain = sorted.windows(2).all(|pair| ancestors(&graph, &graph[pair[1]].0).contains(&graph[pair[0]].0));
    let mut slots: Vec<Option<(String, Node, Vec<String>)>> = tasks.into_iter().map(Some).collect();
    let in_order: Vec<(String, Node, Vec<String>)> = sorted.iter().map(|&i| slots[i].take().expect("once")).collect();
    if chain {
        return in_order.into_iter().map(|(_, node, _)| node).collect();
    }
    let members = in_order
        .into_iter()
        .map(|(_, node, deps)| {
            let mut entry = vec![("task".to_string(), node)];
            if !deps.is_empty() {
                entry.push(("dependsOn".into(), Node::Seq(deps.into_iter().map(Node::Str).collect())));
            }
            Node::Map(entry)
        })
        .collect();
    vec![Node::Map(vec![
        ("id".into(), Node::Str(unique_id("quality_graph", &taken))),
        ("type".into(), Node::str(DAG_TYPE)),
        ("tasks".into(), Node::Seq(members)),
    ])]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, deps: &[&str]) -> (String, Node, Vec<String>) {
        (id.into(), Node::str(id), deps.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn chains_stay_lists_and_graphs_become_dags() {
        let chain = arrange(vec![task("b", &["a"]), task("a", &[]), task("c", &["b"])], false);
        assert_eq!(chain, vec![Node::str("a"), Node::str("b"), Node::str("c")]);
        let graph = arrange(vec![task("a", &[]), task("b", &[]), task("c", &["a", "b"])], false);
        let [Node::Map(dag)] = graph.as_slice() else { panic!("{graph:?}") };
        assert_eq!(dag[1].1, Node::str(DAG_TYPE));
        let parallel = arrange(vec![task("a", &[]), task("b", &[])], true);
        let [Node::Map(par)] = parallel.as_slice() else { panic!() };
        assert_eq!(par[1].1, Node::str(PARALLEL_TYPE));
        assert_eq!(find_cycle(&[("a".into(), vec!["b".into()]), ("b".into(), vec!["a".into()])]), Some("a".into()));
    }
}
