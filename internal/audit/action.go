package audit

// Action names what an audit row records. The names are stored in audit_logs.action, filtered
// on by clients (GET /audit-logs?action=) and read by the reports in sql/reports.sql
// (VALIDATION_MODELS_CHANGED, ASSIGNMENT_CREATED, ASSIGNMENT_UPDATED), so a name never changes
// once released; a new kind of change gets a new name here.
type Action string

// Users and their tokens.
const (
	ActionUserCreated  Action = "USER_CREATED"
	ActionUserEnabled  Action = "USER_ENABLED"
	ActionUserDisabled Action = "USER_DISABLED"
	ActionTokenCreated Action = "TOKEN_CREATED"
	ActionTokenRevoked Action = "TOKEN_REVOKED"
)

// Regions, models, their versions and delegates.
const (
	ActionRegionCreated   Action = "REGION_CREATED"
	ActionModelCreated    Action = "MODEL_CREATED"
	ActionModelUpdated    Action = "MODEL_UPDATED"
	ActionVersionCreated  Action = "VERSION_CREATED"
	ActionDelegateAdded   Action = "DELEGATE_ADDED"
	ActionDelegateRevoked Action = "DELEGATE_REVOKED"
)

// Settings: the validation policy of a tier and the workflow SLA.
const (
	ActionValidationPolicyUpdated Action = "VALIDATION_POLICY_UPDATED"
	ActionWorkflowSLAUpdated      Action = "WORKFLOW_SLA_UPDATED"
)

// Validation requests and their workflow.
const (
	ActionValidationRequestCreated Action = "VALIDATION_REQUEST_CREATED"
	ActionValidationRequestUpdated Action = "VALIDATION_REQUEST_UPDATED"
	ActionValidationModelsChanged  Action = "VALIDATION_MODELS_CHANGED"
	ActionValidationStatusChanged  Action = "VALIDATION_STATUS_CHANGED"
	ActionAssignmentCreated        Action = "ASSIGNMENT_CREATED"
	ActionAssignmentUpdated        Action = "ASSIGNMENT_UPDATED"
	ActionAssignmentDeleted        Action = "ASSIGNMENT_DELETED"
	ActionReviewSignedOff          Action = "REVIEW_SIGNED_OFF"
	ActionReviewSentBack           Action = "REVIEW_SENT_BACK"
	ActionOutcomeCreated           Action = "OUTCOME_CREATED"
	ActionOutcomeUpdated           Action = "OUTCOME_UPDATED"
	ActionSubmissionReceived       Action = "SUBMISSION_RECEIVED"
	ActionApprovalDecided          Action = "APPROVAL_DECIDED"
)

// Deployment tasks. A *_FAILED action is a bulk call's record of a task that failed inside its
// savepoint (docs/savepoints.md).
const (
	ActionDeploymentCreated       Action = "DEPLOYMENT_CREATED"
	ActionDeploymentConfirmed     Action = "DEPLOYMENT_CONFIRMED"
	ActionDeploymentConfirmFailed Action = "DEPLOYMENT_CONFIRM_FAILED"
	ActionDeploymentAdjusted      Action = "DEPLOYMENT_ADJUSTED"
	ActionDeploymentAdjustFailed  Action = "DEPLOYMENT_ADJUST_FAILED"
	ActionDeploymentCancelled     Action = "DEPLOYMENT_CANCELLED"
	ActionDeploymentCancelFailed  Action = "DEPLOYMENT_CANCEL_FAILED"
)
