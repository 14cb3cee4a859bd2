-- name: ValidationPolicyList :many
-- GET /validation-policies: the four rows, in tier order (validation_policies_tier_rank_key).
SELECT risk_tier, tier_rank, frequency_months, grace_period_months, model_change_lead_time_days, updated_at
FROM validation_policies
ORDER BY tier_rank;

-- name: ValidationPolicyLockForUpdate :one
-- PUT /validation-policies/{risk_tier}: FOR UPDATE (by the primary key) so two edits of one
-- policy are judged one after the other and each audit row's "from" is what the edit replaced.
SELECT risk_tier, tier_rank, frequency_months, grace_period_months, model_change_lead_time_days, updated_at
FROM validation_policies
WHERE risk_tier = @risk_tier
FOR UPDATE;

-- name: ValidationPolicyUpdate :one
-- The row locked just before; the table's CHECKs hold the ranges the service checked.
UPDATE validation_policies
SET frequency_months = @frequency_months, grace_period_months = @grace_period_months,
    model_change_lead_time_days = @model_change_lead_time_days, updated_at = now(), updated_by = @updated_by
WHERE risk_tier = @risk_tier
RETURNING risk_tier, tier_rank, frequency_months, grace_period_months, model_change_lead_time_days, updated_at;
