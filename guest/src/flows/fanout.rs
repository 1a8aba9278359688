//! The fan-out flow: Kestra is the distributed engine. A `ForEach` over the partition URIs
//! checks each partition on its own worker into a partial state (`check --emit-state`), with a
//! concurrency limit, then one task merges the states in partition order (`merge`) and decides,
//! exactly as one check over all the data would.
//!
//! The partitions are either listed when the flow is generated, or listed when it runs by a
//! first task (`truthound-kestra partitions URI`, the data files of a glob or directory, sorted)
//! whose output `partitions` the `ForEach` iterates over.
//!
//! Outputs of a task inside a `ForEach` are keyed by the iteration's value:
//! `{{ outputs.<task>['<value>'].outputFiles['<file>'] }}` (kestra-syntax.md §3.5).

use super::FlowError;
use super::yaml::Node;

/// The `ForEach` task type (Kestra 0.19+; `EachParallel`/`EachSequential` are deprecated).
pub const FOR_EACH_TYPE: &str = "io.kestra.plugin.core.flow.ForEach";
/// Extension of partial state files.
pub const STATE_EXTENSION: &str = "tqstate";
/// The partial state a partition task writes.
pub const PARTIAL_STATE: &str = "partial.tqstate";
/// The shell glob the merge task reads its states with (their names sort in partition order).
pub const STATE_GLOB: &str = "state-*.tqstate";
/// The output of `truthound-kestra partitions` listing the partition URIs.
pub const PARTITIONS_OUTPUT: &str = "partitions";

/// Which partitions a fan-out checks.
#[derive(Clone, Debug, PartialEq)]
pub enum Partitions {
    /// The partition URIs listed when the flow is generated, in row order.
    Fixed(Vec<String>),
    /// Listed when the flow runs by the task `list_task` (`truthound-kestra partitions`), in the
    /// order of its output `partitions`.
    AtRunTime {
        /// Id of the listing task.
        list_task: String,
    },
}

/// The part a task plays in a fan-out (set by the fan-out template only).
#[derive(Clone, Debug, PartialEq)]
pub enum FanoutRole {
    /// Lists the partitions when the flow runs: the data files its input URI names.
    List,
    /// Checks each partition (`{{ taskrun.value }}`) into a partial state, inside a `ForEach`.
    Partition {
        /// Id of the `ForEach` task.
        for_each_id: String,
        partitions: Partitions,
        /// Partitions checked at once (`concurrencyLimit`; 0: all).
        concurrency_limit: u32,
    },
    /// Merges the partial states of the partition task `from`, in partition order.
    Merge {
        /// Id of the partition task.
        from: String,
        partitions: Partitions,
    },
}

/// Rejects partition lists Kestra cannot iterate and reference: empty, duplicated (outputs are
/// keyed by value), or values that would break the Pebble expression naming them.
pub fn check_partitions(partitions: &[String], field: &str) -> Result<(), FlowError> {
    if partitions.is_empty() {
        return Err(FlowError::new(field, "a fan-out needs at least one partition URI"));
    }
    for (index, partition) in partitions.iter().enumerate() {
        let at = format!("{field}[{index}]");
        if partition.trim().is_empty() {
            return Err(FlowError::new(at, "a partition URI must not be empty"));
        }
        if ["'", "{{", "}}", "{%", "%}", "\n", "\r"].iter().any(|bad| partition.contains(bad)) {
            return Err(FlowError::new(
                at,
                format!("{partition:?}: partition URIs cannot hold quotes, newlines or Pebble delimiters"),
            ));
        }
        if partitions[..index].contains(partition) {
            return Err(FlowError::new(at, format!("{partition:?} is listed twice")));
        }
    }
    Ok(())
}

/// The merge task's `inputFiles`: each partition's state as `state-<n>.tqstate`, numbered with
/// a fixed width so that the shell glob lists them in partition order.
pub fn state_input_files(from: &str, partitions: &[String]) -> Vec<(String, Node)> {
    let width = partitions.len().saturating_sub(1).to_string().len();
    partitions
        .iter()
        .enumerate()
        .map(|(index, partition)| {
            let name = format!("state-{index:0width$}.{STATE_EXTENSION}");
            let reference = format!("{{{{ outputs.{from}['{partition}'].outputFiles['{PARTIAL_STATE}'] }}}}");
            (name, Node::Str(reference))
        })
        .collect()
}

/// The merge task's `inputFiles` when the partitions are listed at run time: one JSON object
/// rendered by Pebble, naming each partition's state `state-<n>.tqstate` (`n` counting from 0
/// in the listing's order, so that `merge .` reads them in partition order).
pub fn listed_state_input_files(from: &str, list_task: &str) -> String {
    format!(
        "{{ {{% for partition in outputs.{list_task}.vars.{PARTITIONS_OUTPUT} %}}\
         \"state-{{{{ loop.index }}}}.{STATE_EXTENSION}\": \
         \"{{{{ outputs.{from}[partition].outputFiles['{PARTIAL_STATE}'] }}}}\"\
         {{% if not loop.last %}}, {{% endif %}}{{% endfor %}} }}"
    )
}

/// The `ForEach` running `task` (a rendered partition task) once per partition.
pub fn for_each(task: Node, for_each_id: &str, partitions: &Partitions, concurrency_limit: u32) -> Node {
    let values = match partitions {
        Partitions::Fixed(list) => Node::Seq(list.iter().cloned().map(Node::Str).collect()),
        Partitions::AtRunTime { list_task } => {
            Node::Str(format!("{{{{ outputs.{list_task}.vars.{PARTITIONS_OUTPUT} | toJson }}}}"))
        }
    };
    Node::Map(vec![
        ("id".into(), Node::Str(for_each_id.to_string())),
        ("type".into(), Node::str(FOR_EACH_TYPE)),
        ("values".into(), values),
        ("concurrencyLimit".into(), Node::Int(i64::from(concurrency_limit))),
        ("tasks".into(), Node::Seq(vec![task])),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_sort_in_partition_order() {
        let partitions: Vec<String> = (0..12).map(|i| format!("s3://b/p={i}/x.parquet")).collect();
        let files = state_input_files("check_partition", &partitions);
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names[0], "state-00.tqstate");
        assert_eq!(
            files[11].1,
            Node::Str("{{ outputs.check_partition['s3://b/p=11/x.parquet'].outputFiles['partial.tqstate'] }}".into())
        );
        assert_eq!(state_input_files("t", &["a".to_string()])[0].0, "state-0.tqstate");
    }

    #[test]
    fn listed_states_are_one_pebble_rendered_json_object() {
        assert_eq!(
            listed_state_input_files("check_partition", "list_partitions"),
            "{ {% for partition in outputs.list_partitions.vars.partitions %}\"state-{{ loop.index }}.tqstate\": \
             \"{{ outputs.check_partition[partition].outputFiles['partial.tqstate'] }}\"{% if not loop.last %}, \
             {% endif %}{% endfor %} }"
        );
    }

    #[test]
    fn unusable_partition_lists_name_the_entry() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(check_partitions(&[], "partitions").unwrap_err().field, "partitions");
        assert_eq!(check_partitions(&list(&["a", "it's"]), "partitions").unwrap_err().field, "partitions[1]");
        assert_eq!(check_partitions(&list(&["a", "{{ x }}"]), "partitions").unwrap_err().field, "partitions[1]");
        assert!(check_partitions(&list(&["a", "b", "a"]), "p").unwrap_err().message.contains("twice"));
        assert!(check_partitions(&list(&["/data/part 1.csv", "s3://b/k=v/p.parquet"]), "p").is_ok());
    }
}
