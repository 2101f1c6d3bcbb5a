-- doc: The kind of data transfer of a line item, from its usage type (inter-AZ, inter-region, internet out, CloudFront out, NAT gateway, Transit Gateway, VPC endpoint; else other).
CASE
    WHEN line_item_usage_type LIKE '%NatGateway-Bytes' THEN 'NAT gateway'
    WHEN line_item_usage_type LIKE '%TransitGateway-Bytes' THEN 'Transit Gateway'
    WHEN line_item_usage_type LIKE '%VpcEndpoint-Bytes' THEN 'VPC endpoint'
    WHEN line_item_usage_type LIKE '%DataTransfer-Regional-Bytes' THEN 'inter-AZ'
    WHEN line_item_usage_type LIKE '%-AWS-Out-Bytes' OR line_item_usage_type LIKE '%-AWS-In-Bytes'
        THEN 'inter-region'
    WHEN line_item_product_code = 'AmazonCloudFront' THEN 'CloudFront out'
    WHEN line_item_usage_type LIKE '%DataTransfer-Out-Bytes' THEN 'internet out'
    ELSE 'other'
END
