-- Partition projection on the date folders AWS writes, for the tables of the formats that have them.
-- Fill @column@ (the partition column), @layout@ (the folders' date layout, Java style),
-- @since@ (the first folder to project, in that layout), @unit@ (DAYS, MINUTES...) and @location@.
  'projection.enabled' = 'true',
  'projection.@column@.type' = 'date',
  'projection.@column@.format' = '@layout@',
  'projection.@column@.range' = '@since@,NOW',
  'projection.@column@.interval' = '1',
  'projection.@column@.interval.unit' = '@unit@',
  'storage.location.template' = '@location@${@column@}',
