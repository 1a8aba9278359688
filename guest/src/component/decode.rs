//! The WIT interface `decode` (world `browser` only): data files into Arrow IPC.

use super::exports::truthound::quality::decode;
use super::{Component, error_to_wit, types};
use crate::decode::{DataFormat, to_arrow_ipc};

impl decode::Guest for Component {
    fn to_arrow_ipc(data: Vec<u8>, format: decode::DataFormat) -> Result<Vec<u8>, types::QualityError> {
        let format = match format {
            decode::DataFormat::Csv => DataFormat::Csv,
            decode::DataFormat::Tsv => DataFormat::Tsv,
            decode::DataFormat::Parquet => DataFormat::Parquet,
        };
        to_arrow_ipc(data, format).map_err(error_to_wit)
    }
}
