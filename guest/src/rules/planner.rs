//! The plan of a check: the analyzers its rules read, each computed once however many rules
//! share it. Rules request analyzers while planning; the analyzers are built at the end, so a
//! later request can widen what an analyzer computes (moments, the values a summary watches).

use crate::analyzers::spill::SpillSettings;
use crate::analyzers::{
    Analyzer, BatchTurns, CollectValues, ColumnStats, DuplicateValues, NullRows, Order, OrderBreaks, Part,
    RowPredicate, RowsPredicate, SkipRows, UnexpectedRows,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// An analyzer to build.
#[derive(Clone)]
enum Request {
    Nulls(Vec<String>),
    Values(String, Rc<dyn RowPredicate>),
    Rows(Vec<String>, SkipRows, Rc<dyn RowsPredicate>),
    Order(String, Order),
    /// Occurrences of values, summarised for the `watched` values when some rule lists values.
    Distinct {
        columns: Vec<String>,
        watched: Option<Vec<Value>>,
    },
    Stats {
        column: String,
        moments: bool,
    },
    /// Every value of a numeric column, for the quantiles listed.
    Collect {
        column: String,
        quantiles: Vec<f64>,
    },
}

/// Collects the analyzers of a plan, sharing them between rules.
pub struct Planner {
    requests: Vec<Request>,
    index: HashMap<String, usize>,
    sample_cap: u32,
    /// The analyzers adopted as this shard's part of shared counts, and the part.
    part: Option<(Part, HashSet<usize>)>,
}

impl Request {
    /// Whether the analyzer only counts (rows, nulls, unexpected values, occurrences of values
    /// and their summary), so that shards can each count a part of the data and add up.
    fn counts(&self) -> bool {
        matches!(self, Request::Nulls(_) | Request::Values(..) | Request::Rows(..) | Request::Distinct { .. })
    }

    /// Columns the analyzer reads.
    fn columns(&self) -> Vec<String> {
        match self {
            Request::Nulls(columns) | Request::Rows(columns, ..) | Request::Distinct { columns, .. } => columns.clone(),
            Request::Values(column, _)
            | Request::Order(column, _)
            | Request::Stats { column, .. }
            | Request::Collect { column, .. } => vec![column.clone()],
        }
    }
}

impl Planner {
    pub fn new(sample_cap: u32) -> Self {
        Planner { requests: Vec::new(), index: HashMap::new(), sample_cap, part: None }
    }

    /// The keys of the analyzers that only count (see `Request::counts`), in request order.
    pub fn counting_keys(&self) -> Vec<String> {
        let mut keys: Vec<(usize, &String)> =
            self.index.iter().filter(|(_, id)| self.requests[**id].counts()).map(|(key, &id)| (id, key)).collect();
        keys.sort_unstable();
        keys.into_iter().map(|(_, key)| key.clone()).collect()
    }

    /// Columns that analyzers read only for their nulls: every analyzer reading them counts nulls.
    pub fn null_only_columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = Vec::new();
        for request in &self.requests {
            for column in request.columns() {
                if !columns.contains(&column) {
                    columns.push(column);
                }
            }
        }
        columns.retain(|column| {
            let reads = |request: &&Request| request.columns().contains(column);
            self.requests.iter().filter(reads).all(|request| matches!(request, Request::Nulls(_)))
        });
        columns
    }

    /// Whether every analyzer requested only counts, and there is at least one.
    pub fn only_counts(&self) -> bool {
        !self.requests.is_empty() && self.requests.iter().all(Request::counts)
    }

    /// Requests the analyzer `key` of `plan` as this shard's `part` of it: built to count only
    /// the part's batches (row counts) or values (value counts). Returns its id and columns.
    pub fn adopt_part(&mut self, plan: &Planner, key: &str, part: Part) -> (usize, Vec<String>) {
        let request = plan.requests[plan.index[key]].clone();
        let columns = request.columns();
        let id = self.request(key.to_string(), || request, |_| {});
        self.part.get_or_insert_with(|| (part, HashSet::new())).1.insert(id);
        (id, columns)
    }

    /// The id of the analyzer `key`, requesting it with `make` the first time and widening an
    /// earlier request with `widen` otherwise.
    fn request(&mut self, key: String, make: impl FnOnce() -> Request, widen: impl FnOnce(&mut Request)) -> usize {
        if let Some(&id) = self.index.get(&key) {
            widen(&mut self.requests[id]);
            return id;
        }
        self.requests.push(make());
        self.index.insert(key, self.requests.len() - 1);
        self.requests.len() - 1
    }

    /// Rows with a null in any of `columns` (the null count of a single column).
    pub fn null_rows(&mut self, columns: &[String]) -> usize {
        self.request(format!("nulls\u{0}{}", columns.join("\u{0}")), || Request::Nulls(columns.to_vec()), |_| {})
    }

    /// Non-null values of `column` breaking `predicate`.
    pub fn unexpected_values(&mut self, column: &str, predicate: Rc<dyn RowPredicate>) -> usize {
        let key = format!("values\u{0}{column}\u{0}{}", predicate.key());
        self.request(key, || Request::Values(column.into(), predicate), |_| {})
    }

    /// Rows of `columns` breaking `predicate`, rows with missing values skipped as `skip` says.
    pub fn unexpected_rows(&mut self, columns: &[String], skip: SkipRows, predicate: Rc<dyn RowsPredicate>) -> usize {
        let key = format!("rows\u{0}{}\u{0}{skip:?}\u{0}{}", columns.join("\u{0}"), predicate.key());
        self.request(key, || Request::Rows(columns.to_vec(), skip, predicate), |_| {})
    }

    /// Non-null values of `column` out of `order` with the value before them.
    pub fn order_breaks(&mut self, column: &str, order: Order) -> usize {
        let key = format!("order\u{0}{column}\u{0}{}\u{0}{}", order.descending, order.strictly);
        self.request(key, || Request::Order(column.into(), order), |_| {})
    }

    /// Occurrence counts of the values of `columns` (of their combinations, for several); with
    /// `watched` values, the metric summarises the values for a rule that lists those.
    pub fn distinct_values(&mut self, columns: &[String], watched: Option<&[Value]>) -> usize {
        let widen = |request: &mut Request| {
            if let (Request::Distinct { watched: all, .. }, Some(more)) = (request, watched) {
                add_missing(all.get_or_insert_with(Vec::new), more);
            }
        };
        let key = format!("distinct\u{0}{}", columns.join("\u{0}"));
        self.request(
            key,
            || Request::Distinct { columns: columns.to_vec(), watched: watched.map(<[Value]>::to_vec) },
            widen,
        )
    }

    /// Statistics of `column`, with exact moments if `moments`.
    pub fn column_stats(&mut self, column: &str, moments: bool) -> usize {
        let widen = |request: &mut Request| {
            if let Request::Stats { moments: with, .. } = request {
                *with |= moments;
            }
        };
        self.request(format!("stats\u{0}{column}"), || Request::Stats { column: column.into(), moments }, widen)
    }

    /// The values of a numeric `column` at the sorted positions the `quantiles` read (0 to 1; a
    /// median is 0.5), for exact quantiles.
    pub fn sorted_values(&mut self, column: &str, quantiles: &[f64]) -> usize {
        let widen = |request: &mut Request| {
            if let Request::Collect { quantiles: all, .. } = request {
                add_missing(all, quantiles);
            }
        };
        let make = || Request::Collect { column: column.into(), quantiles: quantiles.to_vec() };
        self.request(format!("collect\u{0}{column}"), make, widen)
    }

    /// Builds the analyzers; those that keep values (counting or collecting them) share `spill`'s
    /// memory budget.
    pub fn into_analyzers(self, spill: Option<SpillSettings>) -> Vec<Box<dyn Analyzer>> {
        let cap = self.sample_cap;
        let spilling =
            self.requests.iter().filter(|r| matches!(r, Request::Distinct { .. } | Request::Collect { .. })).count();
        let spill = spill.map(|settings| settings.shared_by(spilling));
        let part_of = |id: usize| self.part.as_ref().filter(|(_, ids)| ids.contains(&id)).map(|(part, _)| *part);
        let parts: Vec<Option<Part>> = (0..self.requests.len()).map(part_of).collect();
        self.requests
            .into_iter()
            .zip(parts)
            .map(|(request, part)| -> Box<dyn Analyzer> {
                let by_batch = part.filter(|_| !matches!(request, Request::Distinct { .. }));
                let analyzer: Box<dyn Analyzer> = match request {
                    Request::Nulls(columns) => Box::new(NullRows::new(&columns, cap)),
                    Request::Values(column, predicate) => Box::new(UnexpectedRows::values(&column, predicate, cap)),
                    Request::Rows(columns, skip, predicate) => {
                        Box::new(UnexpectedRows::rows(&columns, skip, predicate, cap))
                    }
                    Request::Order(column, order) => Box::new(OrderBreaks::new(&column, order, cap)),
                    Request::Distinct { columns, watched } => {
                        Box::new(DuplicateValues::counting_part(&columns, cap, watched, spill.clone(), part))
                    }
                    Request::Stats { column, moments } => Box::new(ColumnStats::new(&column, moments)),
                    Request::Collect { column, quantiles } => {
                        Box::new(CollectValues::new(&column, quantiles, spill.clone()))
                    }
                };
                match by_batch {
                    Some(part) => Box::new(BatchTurns::new(analyzer, part)),
                    None => analyzer,
                }
            })
            .collect()
    }
}

/// Adds to `all` the items of `more` it lacks, in order.
fn add_missing<T: PartialEq + Clone>(all: &mut Vec<T>, more: &[T]) {
    for item in more {
        if !all.contains(item) {
            all.push(item.clone());
        }
    }
}
