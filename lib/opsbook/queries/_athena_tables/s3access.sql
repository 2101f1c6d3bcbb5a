-- Glue table for S3 server access logs: the default key format is flat, so no partition prunes time, with partition projection where AWS writes date folders.
-- Fields: https://docs.aws.amazon.com/athena/latest/ug/querying-s3-access-logs.html
-- Columns are the fields as opsbook names them (opsbook.backends.s3formats), lowercased, every run
-- of other characters written '_' (client:port -> client_port), STRING as the local reader keeps them.
-- Fill @database@, @table@, @location@ (s3://bucket/prefix/ of the source), @source@ and @since@
-- (the first day to project), or let opsbook.logs.athena_table_ddl(source, format) do it.
CREATE EXTERNAL TABLE IF NOT EXISTS @database@.@table@ (
  `bucketowner` STRING,
  `bucket_name` STRING,
  `requestdatetime` STRING,
  `remoteip` STRING,
  `requester` STRING,
  `requestid` STRING,
  `operation` STRING,
  `key` STRING,
  `request_uri` STRING,
  `httpstatus` STRING,
  `errorcode` STRING,
  `bytessent` STRING,
  `objectsize` STRING,
  `totaltime` STRING,
  `turnaroundtime` STRING,
  `referrer` STRING,
  `useragent` STRING,
  `versionid` STRING,
  `hostid` STRING,
  `sigv` STRING,
  `ciphersuite` STRING,
  `authtype` STRING,
  `endpoint` STRING,
  `tlsversion` STRING,
  `accesspointarn` STRING,
  `aclrequired` STRING
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES ('input.regex' = '([^ ]*) ([^ ]*) \\[(.*?)\\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ("[^"]*"|-)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$')
LOCATION '@location@'
TBLPROPERTIES (
  'opsbook.format' = 's3access',
  'opsbook.source' = '@source@'
)
