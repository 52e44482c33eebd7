# One execution role per function, each allowed to write to its own log group only (and to send
# X-Ray segments when tracing is on, and to put items in the summaries table with the stored
# workload). No managed policies: AWSLambdaBasicExecutionRole would allow
# every log group in the account.

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumesThisRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    # No aws:SourceAccount/aws:SourceArn condition: only a principal allowed iam:PassRole on
    # this role, in this account, can attach it to a function, and Lambda does not document
    # those keys for execution roles (a wrong condition would make every create fail).
  }
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name               = "${local.function_names[each.key]}-exec"
  description        = "Execution role of the ${local.function_names[each.key]} function: its own logs, X-Ray, its summaries."
  assume_role_policy = data.aws_iam_policy_document.assume.json

  lifecycle {
    precondition {
      condition     = length("${local.function_names[each.key]}-exec") <= 64
      error_message = "The role name <prefix>-<lane>-exec must fit IAM's 64 characters: shorten name_prefix or the lane's name."
    }
  }
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  dynamic "statement" {
    for_each = var.xray_tracing ? [1] : []

    content {
      sid = "SendTraces"
      # X-Ray has no resource-level permissions for these two actions: "*" is the only resource
      # they accept (the same as the AWSXRayDaemonWriteAccess managed policy, minus the reads).
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.store ? [1] : []

    content {
      sid = "StoreSummaries"
      # The handler's one conditional PutItem (contract section 5); no read, no update, no
      # other table. The AWS managed key needs no KMS grant in the role.
      actions   = ["dynamodb:PutItem"]
      resources = [aws_dynamodb_table.summaries[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "${local.function_names[each.key]}-least-privilege"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}
