//! Mergeable statistics whose results do not depend on how the data was split: exact sums and
//! moments, and the sketches of the profiler.

pub mod exact_sum;
pub mod moments;

pub use exact_sum::ExactSum;
pub use moments::Moments;
