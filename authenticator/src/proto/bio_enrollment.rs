//! authenticatorBioEnrollment (CTAP 2.1 §6.7): the request, one variant per subcommand, and
//! the response members.
//!
//! Request map: `{1: modality, 2: subCommand, 3: subCommandParams, 4: pinUvAuthProtocol,
//! 5: pinUvAuthParam, 6: getModality}`. As for credential management, a subcommand's parameters
//! are parsed once but kept as a [`Params`] `Result`, so the handler reports their status after
//! the checks the spec puts first (a model without bio enrollment, the pinUvAuthParam).

use std::time::Duration;

use ciborium::Value;

use super::StatusCode;
use super::cbor::{self, MapBuilder, MapReader, ValueExt};
use super::pin_uv_auth::{PinProtocol, SubcommandAuth};
use super::subcommand::Params;

/// A biometric modality of authenticatorBioEnrollment (§6.7 "modality").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BioModality {
    /// Fingerprint (0x01), the only modality CTAP 2.1 defines.
    Fingerprint,
}

impl BioModality {
    /// The modality's number on the wire.
    #[must_use]
    pub fn id(self) -> i64 {
        match self {
            Self::Fingerprint => 0x01,
        }
    }

    /// The modality with this number, if CTAP 2.1 defines it.
    #[must_use]
    pub fn from_id(id: i64) -> Option<Self> {
        (id == 0x01).then_some(Self::Fingerprint)
    }
}

/// The kind of fingerprint sensor (§6.7 "fingerprintKind").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FingerprintKind {
    /// A touch sensor (1).
    Touch,
    /// A swipe sensor (2).
    Swipe,
}

impl FingerprintKind {
    /// The kind's number on the wire.
    #[must_use]
    pub fn id(self) -> u8 {
        match self {
            Self::Touch => 1,
            Self::Swipe => 2,
        }
    }
}

/// How the last fingerprint sample went (§6.7 "lastEnrollSampleStatus", the
/// CTAP2_ENROLL_FEEDBACK_* values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastEnrollSampleStatus {
    /// CTAP2_ENROLL_FEEDBACK_FP_GOOD (0x00): a good sample.
    Good,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_HIGH (0x01).
    TooHigh,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_LOW (0x02).
    TooLow,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_LEFT (0x03).
    TooLeft,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_RIGHT (0x04).
    TooRight,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_FAST (0x05).
    TooFast,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_SLOW (0x06).
    TooSlow,
    /// CTAP2_ENROLL_FEEDBACK_FP_POOR_QUALITY (0x07).
    PoorQuality,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_SKEWED (0x08).
    TooSkewed,
    /// CTAP2_ENROLL_FEEDBACK_FP_TOO_SHORT (0x09).
    TooShort,
    /// CTAP2_ENROLL_FEEDBACK_FP_MERGE_FAILURE (0x0A).
    MergeFailure,
    /// CTAP2_ENROLL_FEEDBACK_FP_EXISTS (0x0B): the finger is already enrolled.
    Exists,
    /// CTAP2_ENROLL_FEEDBACK_NO_USER_ACTIVITY (0x0D): the user did not touch the sensor.
    NoUserActivity,
    /// CTAP2_ENROLL_FEEDBACK_NO_USER_PRESENCE_TRANSITION (0x0E): the finger was not lifted.
    NoUserPresenceTransition,
}

impl LastEnrollSampleStatus {
    /// The status's number on the wire.
    #[must_use]
    pub fn id(self) -> u8 {
        match self {
            Self::Good => 0x00,
            Self::TooHigh => 0x01,
            Self::TooLow => 0x02,
            Self::TooLeft => 0x03,
            Self::TooRight => 0x04,
            Self::TooFast => 0x05,
            Self::TooSlow => 0x06,
            Self::PoorQuality => 0x07,
            Self::TooSkewed => 0x08,
            Self::TooShort => 0x09,
            Self::MergeFailure => 0x0A,
            Self::Exists => 0x0B,
            Self::NoUserActivity => 0x0D,
            Self::NoUserPresenceTransition => 0x0E,
        }
    }
}

/// A fingerprint template's identifier (§6.7 "templateId"), as the platform sends it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateId(pub Vec<u8>);

/// authenticatorBioEnrollment requests (CTAP 2.1 §6.7).
#[derive(Clone, Debug, PartialEq)]
pub enum BioEnrollmentRequest {
    /// getModality (0x06) true: the modality the authenticator has (§6.7.2).
    GetModality,
    /// A subcommand for a modality (§6.7.3 – §6.7.8).
    Subcommand {
        /// 0x01 modality, as sent (`None` when absent: `CTAP2_ERR_MISSING_PARAMETER`).
        modality: Option<i64>,
        /// 0x02 subCommand with its 0x03 subCommandParams.
        command: BioSubcommand,
        /// 0x04 pinUvAuthProtocol, 0x05 pinUvAuthParam, and the message the param
        /// authenticates: `modality || subCommand || subCommandParams` (§6.7.1).
        auth: SubcommandAuth,
    },
}

/// The subcommands of authenticatorBioEnrollment for the fingerprint modality (§6.7).
#[derive(Clone, Debug, PartialEq)]
pub enum BioSubcommand {
    /// enrollBegin (0x01, §6.7.4), with the optional timeoutMilliseconds.
    EnrollBegin {
        /// subCommandParams 0x03 timeoutMilliseconds, if sent.
        timeout: Params<Option<Duration>>,
    },
    /// enrollCaptureNextSample (0x02, §6.7.4).
    EnrollCaptureNextSample {
        /// subCommandParams 0x01 templateId and 0x03 timeoutMilliseconds.
        params: Params<(TemplateId, Option<Duration>)>,
    },
    /// cancelCurrentEnrollment (0x03, §6.7.5).
    CancelCurrentEnrollment,
    /// enumerateEnrollments (0x04, §6.7.6).
    EnumerateEnrollments,
    /// setFriendlyName (0x05, §6.7.7).
    SetFriendlyName {
        /// subCommandParams 0x01 templateId and 0x02 templateFriendlyName.
        params: Params<(TemplateId, String)>,
    },
    /// removeEnrollment (0x06, §6.7.8).
    RemoveEnrollment {
        /// subCommandParams 0x01 templateId.
        template_id: Params<TemplateId>,
    },
    /// getFingerprintSensorInfo (0x07, §6.7.3).
    GetFingerprintSensorInfo,
    /// Any other subcommand number (`CTAP2_ERR_INVALID_SUBCOMMAND`).
    Unsupported(i64),
}

impl BioEnrollmentRequest {
    /// Parses the request map.
    pub(super) fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
        let modality = map.take(0x01).map(ValueExt::int_value).transpose()?;
        let sub_command = map.take(0x02).map(ValueExt::int_value).transpose()?;
        let params = map.take(0x03);
        if params.as_ref().is_some_and(|p| !matches!(p, Value::Map(_))) {
            return Err(StatusCode::CborUnexpectedType);
        }
        let protocol = map.take(0x04).map(PinProtocol::parse).transpose()?;
        let param = map.take(0x05).map(ValueExt::bytes_value).transpose()?;
        let get_modality = map.take(0x06).map(ValueExt::bool_value).transpose()?.unwrap_or(false);
        if get_modality {
            return Ok(Self::GetModality);
        }
        let sub_command = sub_command.ok_or(StatusCode::MissingParameter)?;
        // §6.7.1: pinUvAuthParam authenticates `modality || subCommand || subCommandParams`.
        let byte = |number: Option<i64>| number.and_then(|n| u8::try_from(n).ok()).unwrap_or(0xFF);
        let mut message = vec![byte(modality), byte(Some(sub_command))];
        if let Some(params) = &params {
            message.extend_from_slice(&cbor::encode(params));
        }
        let command = BioSubcommand::parse(sub_command, params);
        Ok(Self::Subcommand { modality, command, auth: SubcommandAuth { param, protocol, message } })
    }
}

impl BioSubcommand {
    fn parse(sub_command: i64, params: Option<Value>) -> Self {
        let required = || params.clone().ok_or(StatusCode::MissingParameter)?.map_value();
        match sub_command {
            0x01 => Self::EnrollBegin {
                timeout: params.clone().map_or(Ok(None), |p| timeout_param(&mut p.map_value()?)),
            },
            0x02 => Self::EnrollCaptureNextSample {
                params: required().and_then(|mut p| Ok((template_id_param(&mut p)?, timeout_param(&mut p)?))),
            },
            0x03 => Self::CancelCurrentEnrollment,
            0x04 => Self::EnumerateEnrollments,
            0x05 => Self::SetFriendlyName {
                params: required().and_then(|mut p| {
                    let template_id = template_id_param(&mut p)?;
                    Ok((template_id, p.required(0x02)?.text_value()?))
                }),
            },
            0x06 => {
                Self::RemoveEnrollment { template_id: required().and_then(|mut p| template_id_param(&mut p)) }
            }
            0x07 => Self::GetFingerprintSensorInfo,
            other => Self::Unsupported(other),
        }
    }
}

fn template_id_param(params: &mut MapReader) -> Result<TemplateId, StatusCode> {
    params.required(0x01)?.bytes_value().map(TemplateId)
}

/// timeoutMilliseconds, a non-negative integer when sent.
fn timeout_param(params: &mut MapReader) -> Result<Option<Duration>, StatusCode> {
    let Some(value) = params.take(0x03) else {
        return Ok(None);
    };
    let millis = u64::try_from(value.int_value()?).map_err(|_| StatusCode::InvalidParameter)?;
    Ok(Some(Duration::from_millis(millis)))
}

/// One enrolled template as enumerateEnrollments lists it (§6.7.6 "templateInfo").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateInfo {
    /// 0x01 templateId.
    pub template_id: TemplateId,
    /// 0x02 templateFriendlyName (empty when none was set).
    pub friendly_name: String,
}

/// authenticatorBioEnrollment responses (CTAP 2.1 §6.7).
#[derive(Clone, Debug, PartialEq)]
pub enum BioEnrollmentResponse {
    /// getModality (§6.7.2): 0x01 modality.
    Modality(BioModality),
    /// getFingerprintSensorInfo (§6.7.3).
    SensorInfo {
        /// 0x01 modality.
        modality: BioModality,
        /// 0x02 fingerprintKind.
        fingerprint_kind: FingerprintKind,
        /// 0x03 maxCaptureSamplesRequiredForEnroll.
        max_capture_samples: u8,
        /// 0x08 maxTemplateFriendlyName (bytes).
        max_template_friendly_name: usize,
    },
    /// enrollBegin (§6.7.4): the new template's ID and the first sample's outcome.
    EnrollBegin {
        /// 0x04 templateId.
        template_id: TemplateId,
        /// 0x05 lastEnrollSampleStatus.
        status: LastEnrollSampleStatus,
        /// 0x06 remainingSamples.
        remaining_samples: u8,
    },
    /// enrollCaptureNextSample (§6.7.4).
    Sample {
        /// 0x05 lastEnrollSampleStatus.
        status: LastEnrollSampleStatus,
        /// 0x06 remainingSamples.
        remaining_samples: u8,
    },
    /// enumerateEnrollments (§6.7.6): 0x07 templateInfos.
    Enrollments(Vec<TemplateInfo>),
}

impl BioEnrollmentResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Modality(modality) => MapBuilder::new().insert(0x01, modality.id()).build(),
            Self::SensorInfo {
                modality,
                fingerprint_kind,
                max_capture_samples,
                max_template_friendly_name,
            } => MapBuilder::new()
                .insert(0x01, modality.id())
                .insert(0x02, fingerprint_kind.id())
                .insert(0x03, *max_capture_samples)
                .insert(0x08, *max_template_friendly_name as u64)
                .build(),
            Self::EnrollBegin { template_id, status, remaining_samples } => MapBuilder::new()
                .insert(0x04, Value::Bytes(template_id.0.clone()))
                .insert(0x05, status.id())
                .insert(0x06, *remaining_samples)
                .build(),
            Self::Sample { status, remaining_samples } => {
                MapBuilder::new().insert(0x05, status.id()).insert(0x06, *remaining_samples).build()
            }
            Self::Enrollments(templates) => {
                let infos = templates
                    .iter()
                    .map(|info| {
                        MapBuilder::new()
                            .insert(0x01, Value::Bytes(info.template_id.0.clone()))
                            .insert(0x02, info.friendly_name.as_str())
                            .build()
                    })
                    .collect();
                MapBuilder::new().insert(0x07, Value::Array(infos)).build()
            }
        }
    }
}

#[cfg(test)]
mod tests;
