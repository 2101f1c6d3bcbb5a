-- Glue table for VPC flow logs (default format, version 2; files start with a header line), with partition projection where AWS writes date folders.
-- Fields: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
-- Columns are the fields as opsbook names them (opsbook.backends.s3formats), lowercased, every run
-- of other characters written '_' (client:port -> client_port), STRING as the local reader keeps them.
-- Fill @database@, @table@, @location@ (s3://bucket/prefix/ of the source), @source@ and @since@
-- (the first day to project), or let opsbook.logs.athena_table_ddl(source, format) do it.
CREATE EXTERNAL TABLE IF NOT EXISTS @database@.@table@ (
  `version` STRING,
  `account_id` STRING,
  `interface_id` STRING,
  `srcaddr` STRING,
  `dstaddr` STRING,
  `srcport` STRING,
  `dstport` STRING,
  `protocol` STRING,
  `packets` STRING,
  `bytes` STRING,
  `start` STRING,
  `end` STRING,
  `action` STRING,
  `log_status` STRING
)
PARTITIONED BY (`day` STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
LOCATION '@location@'
TBLPROPERTIES (
  'skip.header.line.count' = '1',
  @projection@
  'opsbook.format' = 'vpcflow',
  'opsbook.source' = '@source@'
)
