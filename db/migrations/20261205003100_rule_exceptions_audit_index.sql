-- migrate:up
-- The rule exceptions report (ReportRuleExceptions) walks the model-change audit rows of
-- validation requests in request order from its keyset position, so that a page reads up to its
-- last row and no further. audit_logs_action_idx (action, audit_id) has them in audit order and
-- audit_logs_entity_idx (entity_type, entity_id, audit_id) mixes them with every other audit row
-- of a request; this index holds only them, by request.
CREATE INDEX audit_logs_models_changed_idx ON audit_logs (entity_id, audit_id)
    WHERE action = 'VALIDATION_MODELS_CHANGED' AND entity_type = 'validation_request';

-- migrate:down
DROP INDEX audit_logs_models_changed_idx;
