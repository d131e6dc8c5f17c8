//! authenticatorBioEnrollment (CTAP 2.1 §6.7): fingerprint enrollment on models with a built-in
//! fingerprint sensor, under a token with the `be` permission.
//!
//! The enrolled templates are persistent state and are what built-in UV matches against: with
//! none, built-in UV is impossible (getInfo `uv` and `bioEnroll` false). An enrollment in
//! progress is power-on state; its template is committed only once its last sample is in.
//! The scripted user gives a good sample at every touch.

use super::Authenticator;
use crate::config::{Config, Modality, UvCapability};
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::bio_enrollment::{
    BioEnrollmentRequest, BioEnrollmentResponse, BioModality, BioSubcommand, FingerprintKind,
    LastEnrollSampleStatus, TemplateId, TemplateInfo,
};
use crate::proto::pin_uv_auth::SubcommandAuth;
use crate::proto::response::Response;
use crate::signals::Signals;
use crate::store::FingerprintTemplate;

/// Good samples an enrollment needs (getFingerprintSensorInfo's
/// maxCaptureSamplesRequiredForEnroll, §6.7.3).
pub const MAX_CAPTURE_SAMPLES_REQUIRED_FOR_ENROLL: u8 = 4;
/// Longest templateFriendlyName accepted, in bytes (maxTemplateFriendlyName, §6.7.3).
pub const MAX_TEMPLATE_FRIENDLY_NAME: usize = 64;
/// Most templates the sensor stores; enrollBegin past it is CTAP2_ERR_FP_DATABASE_FULL (§6.7.4).
pub const MAX_FINGERPRINT_TEMPLATES: usize = 5;
/// The sensor is a touch sensor (fingerprintKind 1, §6.7.3).
pub const SENSOR_KIND: FingerprintKind = FingerprintKind::Touch;

/// An enrollment in progress: its template number and the good samples it still needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingEnrollment {
    template: u16,
    remaining_samples: u8,
}

/// The templates a new device of `config` starts with: one for a fingerprint model configured
/// as enrolled, none otherwise.
pub(super) fn configured_templates(config: &Config) -> Vec<FingerprintTemplate> {
    match config.uv {
        UvCapability::Builtin { modality: Modality::Fingerprint, enrolled: true, .. } => {
            vec![FingerprintTemplate { id: 1, friendly_name: String::new() }]
        }
        _ => Vec::new(),
    }
}

/// The templateId of template number `template`: two bytes, big-endian.
fn template_id(template: u16) -> TemplateId {
    TemplateId(template.to_be_bytes().to_vec())
}

impl Authenticator {
    /// Whether the model has a built-in fingerprint sensor, and so authenticatorBioEnrollment.
    pub(super) fn supports_bio_enrollment(&self) -> bool {
        matches!(self.config.uv, UvCapability::Builtin { modality: Modality::Fingerprint, .. })
    }

    /// The enrolled fingerprint templates.
    pub(super) fn fingerprint_templates(&self) -> &[FingerprintTemplate] {
        self.state.fingerprint_templates.as_deref().unwrap_or_default()
    }

    /// authenticatorBioEnrollment (CTAP 2.1 §6.7).
    pub(super) fn bio_enrollment(
        &mut self,
        request: BioEnrollmentRequest,
        signals: &Signals,
    ) -> Result<Response, StatusCode> {
        if !self.supports_bio_enrollment() {
            return Err(StatusCode::InvalidCommand);
        }
        let (modality, command, auth) = match request {
            // §6.7.2: getModality needs no other parameter.
            BioEnrollmentRequest::GetModality => {
                return Ok(BioEnrollmentResponse::Modality(BioModality::Fingerprint).into());
            }
            BioEnrollmentRequest::Subcommand { modality, command, auth } => (modality, command, auth),
        };
        // §6.7.1: the modality is required, and must be the sensor's.
        if BioModality::from_id(modality.ok_or(StatusCode::MissingParameter)?)
            != Some(BioModality::Fingerprint)
        {
            return Err(StatusCode::InvalidParameter);
        }
        // §6.7.4 to §6.7.8: the pinUvAuthParam is verified before the subCommandParams are
        // evaluated (it authenticates their bytes as sent, whatever they hold), so a protected
        // device answers a request without a token CTAP2_ERR_PUAT_REQUIRED, bad parameters or not.
        match command {
            BioSubcommand::GetFingerprintSensorInfo => Ok(BioEnrollmentResponse::SensorInfo {
                modality: BioModality::Fingerprint,
                fingerprint_kind: SENSOR_KIND,
                max_capture_samples: MAX_CAPTURE_SAMPLES_REQUIRED_FOR_ENROLL,
                max_template_friendly_name: MAX_TEMPLATE_FRIENDLY_NAME,
            }
            .into()),
            // §6.7.5: cancelCurrentEnrollment takes no pinUvAuthParam.
            BioSubcommand::CancelCurrentEnrollment => {
                self.volatile.pending_enrollment = None;
                Ok(Response::Empty)
            }
            BioSubcommand::EnrollBegin { timeout } => {
                self.authorize_bio_enrollment(&auth)?;
                timeout?;
                self.enroll_begin(signals)
            }
            BioSubcommand::EnrollCaptureNextSample { params } => {
                self.authorize_bio_enrollment(&auth)?;
                let (id, _timeout) = params?;
                self.enroll_capture_next_sample(&id, signals)
            }
            BioSubcommand::EnumerateEnrollments => {
                self.authorize_bio_enrollment(&auth)?;
                self.enumerate_enrollments()
            }
            BioSubcommand::SetFriendlyName { params } => {
                self.authorize_bio_enrollment(&auth)?;
                let (id, name) = params?;
                self.set_friendly_name(&id, name)
            }
            BioSubcommand::RemoveEnrollment { template_id } => {
                self.authorize_bio_enrollment(&auth)?;
                let id = template_id?;
                self.remove_enrollment(&id)
            }
            BioSubcommand::Unsupported(_) => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// §6.7.1: pinUvAuthParam = authenticate(token, modality || subCommand || subCommandParams)
    /// from a token with the `be` permission, in every generation.
    ///
    /// A 2.1-PRE key included: a fingerprint model's tokens all come from
    /// getPinUvAuthTokenUsingUvWithPermissions (§6.5.5.7.3), which grants the permissions the
    /// platform asked for and no more, and a ceremony spends them (§6.1.2 step 17); a token
    /// limited to `ga`, or spent, is refused as it is by credential management.
    ///
    /// A device never protected by user verification since its last authenticatorReset (no
    /// template ever enrolled: a fingerprint model has no clientPIN) accepts the request without
    /// one, as authenticatorConfig (§6.11.1) and authenticatorLargeBlobs (§6.10.2) do, so that
    /// its first finger can be enrolled. Removing the last finger does not make it so again:
    /// the credentials made under the old fingers remain (credProtect `userVerificationRequired`
    /// ones too), and a finger enrolled by anyone would pass their UV. Without a token such a
    /// device answers CTAP2_ERR_PUAT_REQUIRED, the status of a missing pinUvAuthParam (§6.7.1,
    /// as §6.8.2 and §6.11.1 use it); a token obtained before the last finger went still works.
    fn authorize_bio_enrollment(&mut self, auth: &SubcommandAuth) -> Result<(), StatusCode> {
        if auth.param.is_none() && !self.uv_configured() && !self.state.bio_protected {
            return Ok(());
        }
        self.authorize(auth, &[], Permissions::BIO_ENROLLMENT).map(|_| ())
    }

    /// §6.7.4 enrollBegin: cancels an unfinished enrollment, gives the new template an ID and
    /// takes its first sample.
    fn enroll_begin(&mut self, signals: &Signals) -> Result<Response, StatusCode> {
        self.volatile.pending_enrollment = None;
        if self.fingerprint_templates().len() >= MAX_FINGERPRINT_TEMPLATES {
            return Err(StatusCode::FpDatabaseFull);
        }
        let template = (1..=u16::MAX)
            .find(|n| self.fingerprint_templates().iter().all(|t| t.id != *n))
            .ok_or(StatusCode::FpDatabaseFull)?;
        let mut enrollment =
            PendingEnrollment { template, remaining_samples: MAX_CAPTURE_SAMPLES_REQUIRED_FOR_ENROLL };
        let status = self.capture_sample(&mut enrollment, signals)?;
        self.keep_or_commit(enrollment)?;
        tracing::info!(template, remaining = enrollment.remaining_samples, "fingerprint enrollment begun");
        Ok(BioEnrollmentResponse::EnrollBegin {
            template_id: template_id(template),
            status,
            remaining_samples: enrollment.remaining_samples,
        }
        .into())
    }

    /// §6.7.4 enrollCaptureNextSample: the next sample of the enrollment in progress, which
    /// must be the template's (CTAP2_ERR_INVALID_OPTION otherwise).
    fn enroll_capture_next_sample(
        &mut self,
        id: &TemplateId,
        signals: &Signals,
    ) -> Result<Response, StatusCode> {
        let mut enrollment = match self.volatile.pending_enrollment {
            Some(enrollment) if template_id(enrollment.template) == *id => enrollment,
            _ => return Err(StatusCode::InvalidOption),
        };
        let status = self.capture_sample(&mut enrollment, signals)?;
        self.keep_or_commit(enrollment)?;
        Ok(BioEnrollmentResponse::Sample { status, remaining_samples: enrollment.remaining_samples }.into())
    }

    /// One touch of the sensor. A touch is a good sample (CTAP2_ENROLL_FEEDBACK_FP_GOOD, one
    /// sample fewer to go); a user who refuses to touch gives
    /// CTAP2_ENROLL_FEEDBACK_NO_USER_ACTIVITY ("the user did not touch the sensor", §6.7) and
    /// the count stays; a user who does not touch before the timeout ends the command with
    /// CTAP2_ERR_USER_ACTION_TIMEOUT, and a cancelled one with CTAP2_ERR_KEEPALIVE_CANCEL,
    /// the enrollment staying as it was (§6.7.4: the platform may ask for the sample again).
    fn capture_sample(
        &mut self,
        enrollment: &mut PendingEnrollment,
        signals: &Signals,
    ) -> Result<LastEnrollSampleStatus, StatusCode> {
        match self.user.presence(signals) {
            Ok(()) => {
                enrollment.remaining_samples = enrollment.remaining_samples.saturating_sub(1);
                Ok(LastEnrollSampleStatus::Good)
            }
            Err(StatusCode::OperationDenied) => Ok(LastEnrollSampleStatus::NoUserActivity),
            Err(status) => Err(status),
        }
    }

    /// An enrollment with samples still to take stays in progress; a finished one is committed
    /// as a template, and only then, marking the device as protected until its next reset.
    fn keep_or_commit(&mut self, enrollment: PendingEnrollment) -> Result<(), StatusCode> {
        if enrollment.remaining_samples > 0 {
            self.volatile.pending_enrollment = Some(enrollment);
            return Ok(());
        }
        self.volatile.pending_enrollment = None;
        let template = FingerprintTemplate { id: enrollment.template, friendly_name: String::new() };
        self.commit(|state| {
            state.fingerprint_templates.get_or_insert_with(Vec::new).push(template);
            state.bio_protected = true;
        })?;
        tracing::info!(template = enrollment.template, "fingerprint enrolled");
        Ok(())
    }

    /// §6.7.6 enumerateEnrollments: every template with its friendly name;
    /// CTAP2_ERR_INVALID_OPTION when none is enrolled.
    fn enumerate_enrollments(&self) -> Result<Response, StatusCode> {
        let infos: Vec<TemplateInfo> = self
            .fingerprint_templates()
            .iter()
            .map(|t| TemplateInfo { template_id: template_id(t.id), friendly_name: t.friendly_name.clone() })
            .collect();
        if infos.is_empty() {
            return Err(StatusCode::InvalidOption);
        }
        Ok(BioEnrollmentResponse::Enrollments(infos).into())
    }

    /// §6.7.7 setFriendlyName: a name of at most maxTemplateFriendlyName bytes
    /// (CTAP1_ERR_INVALID_PARAMETER past it) for an enrolled template (CTAP2_ERR_INVALID_OPTION
    /// for an unknown templateId).
    fn set_friendly_name(&mut self, id: &TemplateId, name: String) -> Result<Response, StatusCode> {
        if name.len() > MAX_TEMPLATE_FRIENDLY_NAME {
            return Err(StatusCode::InvalidParameter);
        }
        let number = self.enrolled_template(id)?;
        self.commit(|state| {
            let templates = state.fingerprint_templates.get_or_insert_with(Vec::new);
            if let Some(template) = templates.iter_mut().find(|t| t.id == number) {
                template.friendly_name = name;
            }
        })?;
        Ok(Response::Empty)
    }

    /// §6.7.8 removeEnrollment: CTAP2_ERR_INVALID_OPTION for an unknown templateId.
    fn remove_enrollment(&mut self, id: &TemplateId) -> Result<Response, StatusCode> {
        let number = self.enrolled_template(id)?;
        self.commit(|state| {
            state.fingerprint_templates.get_or_insert_with(Vec::new).retain(|t| t.id != number)
        })?;
        tracing::info!(template = number, "fingerprint removed");
        Ok(Response::Empty)
    }

    /// The number of the enrolled template with this ID.
    fn enrolled_template(&self, id: &TemplateId) -> Result<u16, StatusCode> {
        self.fingerprint_templates()
            .iter()
            .map(|t| t.id)
            .find(|&number| template_id(number) == *id)
            .ok_or(StatusCode::InvalidOption)
    }
}

#[cfg(test)]
mod tests;
