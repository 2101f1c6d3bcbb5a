-- Glue table for Application Load Balancer access logs, with partition projection where AWS writes date folders.
-- Fields: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
-- Columns are the fields as opsbook names them (opsbook.backends.s3formats), lowercased, every run
-- of other characters written '_' (client:port -> client_port), STRING as the local reader keeps them.
-- Fill @database@, @table@, @location@ (s3://bucket/prefix/ of the source), @source@ and @since@
-- (the first day to project), or let opsbook.logs.athena_table_ddl(source, format) do it.
CREATE EXTERNAL TABLE IF NOT EXISTS @database@.@table@ (
  `type` STRING,
  `time` STRING,
  `elb` STRING,
  `client_port` STRING,
  `target_port` STRING,
  `request_processing_time` STRING,
  `target_processing_time` STRING,
  `response_processing_time` STRING,
  `elb_status_code` STRING,
  `target_status_code` STRING,
  `received_bytes` STRING,
  `sent_bytes` STRING,
  `request` STRING,
  `user_agent` STRING,
  `ssl_cipher` STRING,
  `ssl_protocol` STRING,
  `target_group_arn` STRING,
  `trace_id` STRING,
  `domain_name` STRING,
  `chosen_cert_arn` STRING,
  `matched_rule_priority` STRING,
  `request_creation_time` STRING,
  `actions_executed` STRING,
  `redirect_url` STRING,
  `error_reason` STRING,
  `target_port_list` STRING,
  `target_status_code_list` STRING,
  `classification` STRING,
  `classification_reason` STRING,
  `conn_trace_id` STRING
)
PARTITIONED BY (`day` STRING)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES ('input.regex' = '([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) "([^"]*)"(?: "([^"]*)"(?: ([^ ]*)(?: ([^ ]*)(?: ([^ ]*)(?: "([^"]*)"(?: "([^"]*)"(?: "([^"]*)"(?: ([^ ]*)(?: ([^ ]*)(?: "([^"]*)"(?: "([^"]*)"(?: "([^"]*)"(?: "([^"]*)"(?: "([^"]*)"(?: "([^"]*)"(?: "([^"]*)"(?: ([^ ]*))?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?.*')
LOCATION '@location@'
TBLPROPERTIES (
  @projection@
  'opsbook.format' = 'alb',
  'opsbook.source' = '@source@'
)
