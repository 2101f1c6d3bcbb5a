-- Glue table for CloudFront standard logs (legacy): objects are not in date folders, so no partition prunes time, with partition projection where AWS writes date folders.
-- Fields: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
-- Columns are the fields as opsbook names them (opsbook.backends.s3formats), lowercased, every run
-- of other characters written '_' (client:port -> client_port), STRING as the local reader keeps them.
-- Fill @database@, @table@, @location@ (s3://bucket/prefix/ of the source), @source@ and @since@
-- (the first day to project), or let opsbook.logs.athena_table_ddl(source, format) do it.
CREATE EXTERNAL TABLE IF NOT EXISTS @database@.@table@ (
  `date` STRING,
  `time` STRING,
  `x_edge_location` STRING,
  `sc_bytes` STRING,
  `c_ip` STRING,
  `cs_method` STRING,
  `cs_host` STRING,
  `cs_uri_stem` STRING,
  `sc_status` STRING,
  `cs_referer` STRING,
  `cs_user_agent` STRING,
  `cs_uri_query` STRING,
  `cs_cookie` STRING,
  `x_edge_result_type` STRING,
  `x_edge_request_id` STRING,
  `x_host_header` STRING,
  `cs_protocol` STRING,
  `cs_bytes` STRING,
  `time_taken` STRING,
  `x_forwarded_for` STRING,
  `ssl_protocol` STRING,
  `ssl_cipher` STRING,
  `x_edge_response_result_type` STRING,
  `cs_protocol_version` STRING,
  `fle_status` STRING,
  `fle_encrypted_fields` STRING,
  `c_port` STRING,
  `time_to_first_byte` STRING,
  `x_edge_detailed_result_type` STRING,
  `sc_content_type` STRING,
  `sc_content_len` STRING,
  `sc_range_start` STRING,
  `sc_range_end` STRING
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
LOCATION '@location@'
TBLPROPERTIES (
  'skip.header.line.count' = '2',
  'opsbook.format' = 'cloudfront',
  'opsbook.source' = '@source@'
)
