//! The WIT interface `flows`: Kestra flow generation.

use super::Component;
use super::exports::truthound::quality::{flows, types};
use crate::flows::{FlowKind, IdKind};

impl flows::Guest for Component {
    fn generate(kind: flows::FlowKind, config_document: String) -> Result<String, types::QualityError> {
        let kind = match kind {
            flows::FlowKind::Check => FlowKind::Check,
            flows::FlowKind::Profile => FlowKind::Profile,
            flows::FlowKind::Learn => FlowKind::Learn,
            flows::FlowKind::Pipeline => FlowKind::Pipeline,
            flows::FlowKind::Custom => FlowKind::Custom,
            flows::FlowKind::Fanout => FlowKind::Fanout,
        };
        crate::flows::generate(kind, &config_document)
            .map_err(|e| types::QualityError { kind: types::ErrorKind::Options, message: e.to_string() })
    }

    fn is_valid_id(id: String, kind: flows::IdKind) -> bool {
        crate::flows::is_valid_id(&id, id_kind(kind))
    }

    fn sanitize_id(id: String, kind: flows::IdKind) -> Option<String> {
        crate::flows::sanitize_id(&id, id_kind(kind))
    }
}

fn id_kind(kind: flows::IdKind) -> IdKind {
    match kind {
        flows::IdKind::Flow => IdKind::Flow,
        flows::IdKind::Namespace => IdKind::Namespace,
        flows::IdKind::Task => IdKind::Task,
    }
}
