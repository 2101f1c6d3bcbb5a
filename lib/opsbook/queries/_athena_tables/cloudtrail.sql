-- Glue table for CloudTrail trail log files (nested objects read as JSON text), with partition projection where AWS writes date folders.
-- Fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
-- Columns are the fields as opsbook names them (opsbook.backends.s3formats), lowercased, every run
-- of other characters written '_' (client:port -> client_port), STRING as the local reader keeps them.
-- Fill @database@, @table@, @location@ (s3://bucket/prefix/ of the source), @source@ and @since@
-- (the first day to project), or let opsbook.logs.athena_table_ddl(source, format) do it.
CREATE EXTERNAL TABLE IF NOT EXISTS @database@.@table@ (
  `eventversion` STRING,
  `useridentity` STRING,
  `eventtime` STRING,
  `eventsource` STRING,
  `eventname` STRING,
  `awsregion` STRING,
  `sourceipaddress` STRING,
  `useragent` STRING,
  `requestparameters` STRING,
  `responseelements` STRING,
  `requestid` STRING,
  `eventid` STRING,
  `readonly` STRING,
  `eventtype` STRING,
  `managementevent` STRING,
  `recipientaccountid` STRING,
  `eventcategory` STRING
)
PARTITIONED BY (`day` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '@location@'
TBLPROPERTIES (
  @projection@
  'opsbook.format' = 'cloudtrail',
  'opsbook.source' = '@source@'
)
