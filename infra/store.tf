# The stored workload (docs/contract.md section 5): one table, only with workload = "store".
# Every function may PutItem on it and do nothing else (iam.tf); `destroy` removes it.

resource "aws_dynamodb_table" "summaries" {
  #checkov:skip=CKV_AWS_119:The table is encrypted at rest with the AWS managed key (server_side_encryption enabled); a customer-managed KMS key would add a monthly key fee and KMS calls to every write of a benchmark table whose items expire after 7 days.
  count = local.store ? 1 : 0

  name         = local.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "request_id"

  attribute {
    name = "request_id"
    type = "S"
  }

  # Items carry expires_at (epoch seconds, stored_at + 7 days): DynamoDB deletes them itself.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  # `telemetry-bench destroy` must be able to remove it: no deletion protection.
  deletion_protection_enabled = false
}
