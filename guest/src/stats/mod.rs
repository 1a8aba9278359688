//! Mergeable statistics whose results do not depend on how the data was split: exact sums and
//! moments, and the sketches of the profiler.

pub mod distinct_sketch;
pub mod exact_sum;
pub mod moments;
pub mod quantile_sketch;

pub use distinct_sketch::DistinctSketch;
pub use exact_sum::ExactSum;
pub use moments::Moments;
pub use quantile_sketch::QuantileSketch;
