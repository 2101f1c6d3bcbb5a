-- Glue table for AWS WAF logs (JSON lines; nested objects read as JSON text), with partition projection where AWS writes date folders.
-- Fields: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html
-- Columns are the fields as opsbook names them (opsbook.backends.s3formats), lowercased, every run
-- of other characters written '_' (client:port -> client_port), STRING as the local reader keeps them.
-- Fill @database@, @table@, @location@ (s3://bucket/prefix/ of the source), @source@ and @since@
-- (the first day to project), or let opsbook.logs.athena_table_ddl(source, format) do it.
CREATE EXTERNAL TABLE IF NOT EXISTS @database@.@table@ (
  `timestamp` BIGINT,
  `formatversion` STRING,
  `webaclid` STRING,
  `terminatingruleid` STRING,
  `terminatingruletype` STRING,
  `action` STRING,
  `terminatingrulematchdetails` STRING,
  `httpsourcename` STRING,
  `httpsourceid` STRING,
  `rulegrouplist` STRING,
  `ratebasedrulelist` STRING,
  `nonterminatingmatchingrules` STRING,
  `requestheadersinserted` STRING,
  `responsecodesent` STRING,
  `httprequest` STRING,
  `labels` STRING
)
PARTITIONED BY (`log_time` STRING)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION '@location@'
TBLPROPERTIES (
  @projection@
  'opsbook.format' = 'waf',
  'opsbook.source' = '@source@'
)
