"""The resource catalogue: which resources Northpeak runs, where, and what each one is billed for.

Each :class:`Kind` is a group of alike resources in one account (the storefront's c5 fleet, the
data lake's buckets, ...) with its usage components (:mod:`opsbook.sample.cur.usage`). Counts are
at scale 1; ``fixed`` (story) kinds keep their count whatever the scale.
"""

from __future__ import annotations

from dataclasses import dataclass

from opsbook.sample import org
from opsbook.sample.cur.usage import (
    MONTHLY,
    STOCK,
    Use,
    dynamodb,
    ebs,
    ec2,
    hours,
    kms,
    lambdas,
    logs,
    nat,
    s3,
    s3_requests,
    transfer,
    vpc_endpoint,
)

#: Where the billing export is delivered (a bucket of the management account).
BUCKET = f"northpeak-billing-{org.PAYER_ACCOUNT_ID}"

#: Region -> (usage type prefix, location name).
REGIONS: dict[str, tuple[str, str]] = {
    "us-east-1": ("USE1", "US East (N. Virginia)"),
    "eu-west-1": ("EU", "EU (Ireland)"),
}
#: Product code -> service name (``product['product_name']``).
SERVICE_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AWSDataTransfer": "AWS Data Transfer",
    "AmazonS3": "Amazon Simple Storage Service",
    "AmazonRDS": "Amazon Relational Database Service",
    "AWSLambda": "AWS Lambda",
    "AmazonECS": "Amazon Elastic Container Service",
    "AmazonDynamoDB": "Amazon DynamoDB",
    "AmazonCloudWatch": "AmazonCloudWatch",
    "AmazonVPC": "Amazon Virtual Private Cloud",
    "AmazonES": "Amazon OpenSearch Service",
    "AmazonCloudFront": "Amazon CloudFront",
    "AmazonSageMaker": "Amazon SageMaker",
    "AmazonElastiCache": "Amazon ElastiCache",
    "AWSQueueService": "Amazon Simple Queue Service",
    "awskms": "AWS Key Management Service",
    "AmazonRoute53": "Amazon Route 53",
    "AWSELB": "Elastic Load Balancing",
    "AWSGlue": "AWS Glue",
    "AmazonAthena": "Amazon Athena",
    "AmazonECR": "Amazon EC2 Container Registry (ECR)",
    "AWSCloudTrail": "AWS CloudTrail",
    "AWSConfig": "AWS Config",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
    "AWSSupportBusiness": "AWS Support (Business)",
}
#: Account -> the ``BusinessUnit`` cost category.
BUSINESS_UNITS = {
    "shop-prod": "Retail",
    "shop-staging": "Retail",
    "data-platform": "Data",
    "ml-research": "Data",
    "shared-services": "Platform",
    org.PAYER_ACCOUNT_NAME: "Platform",
}


@dataclass(frozen=True)
class Kind:
    """A group of alike resources in one account, e.g. the storefront's c5 fleet."""

    key: str
    account: str
    product_code: str
    count: int  # resources at scale 1
    resource: str  # id template: {region} {account} {name} {uuid} {hexN} {HEXN}
    uses: tuple[Use, ...]
    names: tuple[str, ...] = ()  # for {name}; more resources than names get "-2", "-3", ...
    team: tuple[str, str] = ("", "")  # (app, owner) tags; no app: the kind is never tagged
    data_class: str = "internal"
    untagged: float = 0.15  # share of resources without any tag
    partial: float = 0.15  # share of resources missing some tags
    region: str = org.REGION  # "" = global service
    zonal: bool = False
    fixed: bool = False  # story resource: count does not scale
    spread: float = 0.6  # lognormal sigma of resource size
    churn: float = 0.25  # share of resources created or deleted inside the window
    starts: str = ""  # "mover": starts the day after the mover month begins
    principal: str = ""

    @property
    def app(self) -> str:
        """The ``user_app`` tag value."""
        return self.team[0]

    @property
    def owner(self) -> str:
        """The ``user_owner`` tag value."""
        return self.team[1]


# Accounts.
SHOP = "shop-prod"
STAGING = "shop-staging"
DATA = "data-platform"
ML = "ml-research"
SHARED = "shared-services"
PAYER = org.PAYER_ACCOUNT_NAME

# Resource id templates used by several kinds.
INSTANCE = "i-0{hex16}"
VOLUME = "vol-0{hex16}"
BY_NAME = "{name}"  # S3 buckets, replicated buckets
NAT = "arn:aws:ec2:{region}:{account}:natgateway/nat-0{hex16}"
VPC_ENDPOINT = "arn:aws:ec2:{region}:{account}:vpc-endpoint/vpce-0{hex16}"
LOG_GROUP = "arn:aws:logs:{region}:{account}:log-group:{name}"
FUNCTION = "arn:aws:lambda:{region}:{account}:function:{name}"
TABLE = "arn:aws:dynamodb:{region}:{account}:table/{name}"
KMS_KEY = "arn:aws:kms:{region}:{account}:key/{uuid}"
RDS = "arn:aws:rds:{region}:{account}:db:{name}"
OPENSEARCH = "arn:aws:es:{region}:{account}:domain/{name}"

# Teams, as the (app, owner) tags of what they run.
WEB = ("storefront", "team-web")
CATALOG = (org.CATALOG.name, org.CATALOG.owner)
ORDERS = (org.ORDERS.name, org.ORDERS.owner)
CHECKOUT = (org.CHECKOUT.name, org.CHECKOUT.owner)
SPARK = ("spark-platform", "team-data")
LAKE = ("data-lake", "team-data")
ML_TEAM = ("ml-research", "team-ml")
CI = ("ci", "team-platform")
GOVERNANCE = ("governance", "team-platform")
SRE = ("observability", "team-sre")
NETWORK = ("network", "team-sre")
SECURITY = ("security", "team-sre")

# The story's resources: the RI- and Savings-Plan-covered fleets, the NAT gateways of the cost
# anomaly, the checkout tasks, the orders database, the search domains of the month-over-month
# mover and the organisation trail; they are fully tagged. Columns: key, account, product code,
# count, id template, usage components, then tags and options. One-off components are spelled
# out as Use(usage type, operation, unit, USD per unit, product family, description, amount,
# model) or hours(usage type, operation, USD per hour, product family, description).
_STORY: tuple[Kind, ...] = (
    Kind("shop-web-ri", SHOP, "AmazonEC2", 7, INSTANCE, (ec2("m5.large", purchase="ri-ec2"),),
         team=WEB, zonal=True, fixed=True, untagged=0.0, partial=0.0),
    Kind("shop-web-sp", SHOP, "AmazonEC2", 10, INSTANCE, (ec2("m5.xlarge", purchase="sp"),),
         team=WEB, zonal=True, fixed=True, untagged=0.0, partial=0.0),
    Kind("shop-nat", SHOP, "AmazonEC2", 3, NAT, nat(480.0), zonal=True, fixed=True,
         untagged=1.0),  # nobody tags NAT gateways; the anomaly shows up as untagged
    Kind("checkout-tasks", SHOP, "AmazonECS", 12,
         f"arn:aws:ecs:{{region}}:{{account}}:task/{org.ECS_CLUSTER}/{{hex32}}", (
             hours("{p}Fargate-vCPU-Hours:perCPU", "FargateTask", 0.04048, "Compute",
                   "AWS Fargate - vCPU - {loc}", purchase="sp", sp_rate=0.032384, unit="hours"),
             hours("{p}Fargate-GB-Hours", "FargateTask", 0.004445, "Compute",
                   "AWS Fargate - Memory - {loc}", amount=2, purchase="sp", sp_rate=0.003556,
                   unit="GB-Hours"),
         ), team=CHECKOUT, data_class="confidential", fixed=True, untagged=0.0, partial=0.0),
    Kind("shop-alb", SHOP, "AWSELB", 2,
         "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{name}", (
             hours("{p}LoadBalancerUsage", "LoadBalancing:Application", 0.0225,
                   "Load Balancer-Application",
                   "$0.0225 per Application LoadBalancer-hour (or partial hour)"),
             Use("{p}LCUUsage", "LoadBalancing:Application", "LCU-Hrs", 0.008,
                 "Load Balancer-Application",
                 "$0.008 per used Application load balancer capacity unit-hour",
                 90, weekday=0.35, sigma=0.1, growth=0.02),
         ), names=(org.LOAD_BALANCER, "app/storefront-alb/8e1f2a3b4c5d6e7f"),
         team=WEB, fixed=True, untagged=0.0, partial=0.0),
    Kind("shop-rds", SHOP, "AmazonRDS", 2, RDS, (
             hours("{p}InstanceUsage:db.r6g.xlarge", "CreateDBInstance:0014", 0.449,
                   "Database Instance", "$0.449 per RDS db.r6g.xlarge Single-AZ instance hour "
                   "(or partial hour) running PostgreSQL", purchase="ri-rds", norm=8.0,
                   product=(("database_engine", "PostgreSQL"), ("deployment_option", "Single-AZ"),
                            ("instance_type_family", "r6g"), ("vcpu", "4"),
                            ("memory", "32 GiB"), ("physical_processor", "AWS Graviton2"),
                            ("current_generation", "Yes")),
                   static=(("product_instance_type", "db.r6g.xlarge"),
                           ("product_instance_family", "Memory optimized"))),
             Use("{p}RDS:GP3-Storage", "CreateDBInstance:0014", "GB-Mo", 0.115,
                 "Database Storage",
                 "$0.115 per GB-month of provisioned gp3 storage running PostgreSQL",
                 800, STOCK, sigma=0.0,
                 product=(("database_engine", "PostgreSQL"),
                          ("volume_type", "General Purpose-GP3"))),
             Use("{p}RDS:ChargedBackupUsage", "CreateDBInstance:0014", "GB-Mo", 0.095,
                 "Storage Snapshot",
                 "$0.095 per additional GB-month of backup storage exceeding free allocation",
                 300, STOCK, sigma=0.02, growth=0.03),
         ), names=(org.DB_INSTANCE, f"{org.DB_INSTANCE}-replica"),
         team=ORDERS, data_class="restricted", zonal=True, fixed=True, untagged=0.0, partial=0.0),
    Kind("shop-cache", SHOP, "AmazonElastiCache", 3,
         "arn:aws:elasticache:{region}:{account}:cluster:{name}", (
             hours("{p}NodeUsage:cache.r6g.large", "CreateCacheCluster:0002", 0.206,
                   "Cache Instance", "$0.206 per Redis cache.r6g.large node-hour (or partial hour)",
                   product=(("cache_engine", "Redis"), ("instance_type_family", "r6g")),
                   static=(("product_instance_type", "cache.r6g.large"),
                           ("product_instance_family", "Memory optimized"))),
         ), names=("shop-sessions-0001-001", "shop-sessions-0001-002", "shop-sessions-0001-003"),
         team=CATALOG, zonal=True, fixed=True, untagged=0.0, partial=0.0),
    Kind("shop-cdn", SHOP, "AmazonCloudFront", 2,
         "arn:aws:cloudfront::{account}:distribution/E{HEX13}", (
             Use("US-DataTransfer-Out-Bytes", "GET", "GB", 0.085, "Data Transfer",
                 "$0.085 per GB - first 10 TB / month data transfer out (United States)",
                 900, weekday=0.25, sigma=0.12, growth=0.03,
                 static=(("product_from_location", "United States"),)),
             Use("EU-DataTransfer-Out-Bytes", "GET", "GB", 0.085, "Data Transfer",
                 "$0.085 per GB - first 10 TB / month data transfer out (Europe)",
                 260, weekday=0.25, sigma=0.12, growth=0.03,
                 static=(("product_from_location", "Europe"),)),
             Use("US-Requests-Tier2-HTTPS", "GET", "Requests", 0.000001, "Request",
                 "$0.010 per 10,000 HTTPS Requests", 9_000_000, weekday=0.3, sigma=0.12,
                 growth=0.03),
         ), team=WEB, data_class="public", region="", fixed=True, untagged=0.0, partial=0.0),
    Kind("dp-spark-sp", DATA, "AmazonEC2", 6, INSTANCE, (ec2("r5.2xlarge", purchase="sp"),),
         team=SPARK, data_class="confidential", zonal=True, fixed=True, untagged=0.0, partial=0.0),
    Kind("dp-spark-sp-weekday", DATA, "AmazonEC2", 2, INSTANCE,
         (ec2("r5.2xlarge", purchase="sp", weekend_off=True),),
         team=SPARK, data_class="confidential", zonal=True, fixed=True, untagged=0.0, partial=0.0),
    Kind("dp-search", DATA, "AmazonES", 1, OPENSEARCH, (
             hours("{p}ESInstance:r6g.large.search", "ESDomain", 0.167,
                   "Amazon OpenSearch Service Instance",
                   "$0.167 per r6g.large.search instance hour (or partial hour)", amount=3,
                   product=(("instance_type_family", "r6g"),),
                   static=(("product_instance_type", "r6g.large.search"),)),
             Use("{p}ES:GP3-Storage", "ESDomain", "GB-Mo", 0.122,
                 "Amazon OpenSearch Service Volume", "$0.122 per GB-month of GP3 storage",
                 1500, STOCK, sigma=0.0),
         ), names=("dp-logs-search",), team=("log-search", "team-data"), fixed=True, spread=0.0,
         untagged=0.0, partial=0.0),
    Kind("dp-search-new", DATA, "AmazonES", 1, OPENSEARCH, (
             hours("{p}ESInstance:r6g.xlarge.search", "ESDomain", 0.335,
                   "Amazon OpenSearch Service Instance",
                   "$0.335 per r6g.xlarge.search instance hour (or partial hour)", amount=3,
                   product=(("instance_type_family", "r6g"),),
                   static=(("product_instance_type", "r6g.xlarge.search"),)),
             Use("{p}ES:GP3-Storage", "ESDomain", "GB-Mo", 0.122,
                 "Amazon OpenSearch Service Volume", "$0.122 per GB-month of GP3 storage",
                 3000, STOCK, sigma=0.0),
         ), names=("clickstream-analytics",), team=("clickstream", "team-data"),
         data_class="confidential", fixed=True, spread=0.0, untagged=0.0, partial=0.0,
         starts="mover"),
    Kind("dp-replication", DATA, "AWSDataTransfer", 2, BY_NAME,
         (transfer("inter-region", 220.0, weekday=0.1, product_code="AWSDataTransfer"),),
         names=("northpeak-datalake-raw", "northpeak-datalake-curated"),
         team=LAKE, data_class="confidential", fixed=True, untagged=0.0, partial=0.0),
    Kind("payer-trail", PAYER, "AWSCloudTrail", 1,
         "arn:aws:cloudtrail:{region}:{account}:trail/{name}", (
             Use("{p}PaidEventsRecorded", "None", "Events", 0.00002,
                 "Management Tools - AWS CloudTrail Paid Events Recorded",
                 "$2.00 per 100,000 events recorded", 1_600_000, weekday=0.4, sigma=0.1),
         ), names=("org-trail",), team=GOVERNANCE, fixed=True, untagged=0.0, partial=0.0),
)  # fmt: skip

# Everything else, by account; counts scale. Same columns as above.
_BULK: tuple[Kind, ...] = (
    # shop-prod ------------------------------------------------------------------------------
    Kind("shop-app", SHOP, "AmazonEC2", 70, INSTANCE, (
             ec2("c5.xlarge", frac=0.78, weekday=0.45, sigma=0.08), transfer("inter-az", 14.0),
             transfer("internet", 9.0, product_code="AWSDataTransfer"),
         ), team=CATALOG, zonal=True, untagged=0.08),
    Kind("shop-batch-spot", SHOP, "AmazonEC2", 60, INSTANCE,
         (ec2("c5.xlarge", purchase="spot", frac=0.5, weekday=0.6, sigma=0.35, p_idle=0.15),),
         team=("search-indexer", org.CATALOG.owner), zonal=True, untagged=0.3, churn=0.6),
    Kind("shop-eu-web", SHOP, "AmazonEC2", 12, INSTANCE, (
             ec2("c5.large", frac=0.85, weekday=0.3, sigma=0.08, rate_factor=1.13),
             transfer("internet", 6.0, product_code="AWSDataTransfer"),
         ), team=WEB, region=org.SECOND_REGION, zonal=True, untagged=0.1),
    Kind("shop-volumes", SHOP, "AmazonEC2", 160, VOLUME, (ebs("gp3", 150, 0.08),),
         team=WEB, zonal=True, spread=0.8, untagged=0.2),
    Kind("shop-volumes-gp2", SHOP, "AmazonEC2", 30, VOLUME, (ebs("gp2", 200, 0.10),),
         team=ORDERS, zonal=True, spread=0.7, untagged=0.3, churn=0.1),
    Kind("shop-snapshots", SHOP, "AmazonEC2", 120,
         "arn:aws:ec2:{region}:{account}:snapshot/snap-0{hex16}", (
             Use("{p}EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", 0.05, "Storage Snapshot",
                 "$0.05 per GB-Month of snapshot data stored - {loc}",
                 90, STOCK, sigma=0.01, growth=0.02),
         ), team=("backup", "team-sre"), spread=1.0, untagged=0.45),
    Kind("shop-lambda", SHOP, "AWSLambda", 24, FUNCTION, lambdas(300_000, 1_500_000),
         names=("catalog-api-handler", "orders-worker", "checkout-webhook", "cart-expiry",
                "image-resizer", "search-suggest", "inventory-sync", "price-updater",
                "email-sender", "sitemap-builder", "review-moderator", "stock-alerts",
                "payment-reconciler", "coupon-validator", "session-cleanup",
                "recommendation-feed", "wishlist-api", "returns-api", "tax-calculator",
                "shipping-quotes"),
         team=ORDERS, spread=1.1, untagged=0.12),
    Kind("shop-tables", SHOP, "AmazonDynamoDB", 14, TABLE, dynamodb(30_000_000, 4_000_000, 60),
         names=("carts", "sessions", "product-catalog", "inventory", "orders", "wishlists",
                "price-history", "reviews", "coupons", "shipments"),
         team=CATALOG, data_class="confidential", spread=1.0, untagged=0.1),
    Kind("shop-buckets", SHOP, "AmazonS3", 30, BY_NAME, (
             s3("standard", 1800), s3("ia", 2500), s3_requests(1, 90_000),
             s3_requests(2, 1_500_000),
         ), names=("northpeak-web-assets", "northpeak-product-images", "northpeak-order-exports",
                   "northpeak-static-site", "northpeak-invoices", "northpeak-user-uploads",
                   "northpeak-app-backups", "northpeak-marketing-media"),
         team=WEB, data_class="public", spread=1.2, untagged=0.25),
    Kind("shop-logs", SHOP, "AmazonCloudWatch", 70, LOG_GROUP, logs(3.0),
         names=(org.CHECKOUT.log_group, org.CATALOG.log_group, org.ORDERS.log_group,
                org.API_ACCESS_LOG_GROUP, "/aws/rds/instance/shop-orders-db/postgresql",
                "/ecs/storefront", "/aws/lambda/checkout-webhook", "/aws/lambda/inventory-sync",
                "/aws/vpc/flow-logs", "/aws/lambda/image-resizer"),
         team=SRE, spread=1.2, untagged=0.3),
    Kind("shop-queues", SHOP, "AWSQueueService", 12, "arn:aws:sqs:{region}:{account}:{name}", (
             Use("{p}Requests-RBP", "SendMessage", "Requests", 0.0000004, "API Request",
                 "$0.40 per million Amazon SQS standard requests",
                 9_000_000, weekday=0.35, sigma=0.2, growth=0.03),
         ), names=("orders-queue", "orders-dlq", "inventory-events", "email-outbox", "refunds"),
         team=ORDERS, spread=1.0),
    Kind("shop-keys", SHOP, "awskms", 10, KMS_KEY, kms(),
         team=SECURITY, data_class="restricted", spread=0.0, untagged=0.4, churn=0.05),
    Kind("shop-endpoints", SHOP, "AmazonVPC", 5, VPC_ENDPOINT, vpc_endpoint(),
         team=NETWORK, spread=0.5, untagged=0.5, churn=0.05),
    Kind("shop-ipv4", SHOP, "AmazonVPC", 18,
         "arn:aws:ec2:{region}:{account}:elastic-ip/eipalloc-0{hex16}", (
             hours("{p}PublicIPv4:InUseAddress", "AssociateAddressVPC", 0.005, "IP Address",
                   "$0.005 per In-use public IPv4 address per hour"),
         ), team=NETWORK, spread=0.0, untagged=0.6),
    Kind("shop-dns", SHOP, "AmazonRoute53", 3, "arn:aws:route53:::hostedzone/Z{HEX13}", (
             Use("HostedZone", "", "HostedZone", 0.5, "DNS Zone",
                 "$0.50 per Hosted Zone for the first 25 Hosted Zones", model=MONTHLY, sigma=0.0),
             Use("DNS-Queries", "Query", "Queries", 0.0000004, "DNS Query",
                 "$0.40 per 1,000,000 queries for the first 1 Billion queries",
                 4_000_000, weekday=0.25, sigma=0.12),
         ), team=NETWORK, data_class="public", region="", spread=1.0, untagged=0.0, churn=0.0),
    # shop-staging ---------------------------------------------------------------------------
    Kind("staging-app", STAGING, "AmazonEC2", 16, INSTANCE,
         (ec2("c5.large", frac=0.5, weekend_off=True, sigma=0.1),),
         team=WEB, zonal=True, untagged=0.2, churn=0.4),
    Kind("staging-volumes", STAGING, "AmazonEC2", 16, VOLUME, (ebs("gp3", 60, 0.08),),
         team=WEB, zonal=True, untagged=0.35),
    Kind("staging-db", STAGING, "AmazonRDS", 1, RDS, (
             hours("{p}InstanceUsage:db.t4g.medium", "CreateDBInstance:0014", 0.065,
                   "Database Instance", "$0.065 per RDS db.t4g.medium Single-AZ instance hour "
                   "(or partial hour) running PostgreSQL", norm=2.0,
                   product=(("database_engine", "PostgreSQL"), ("deployment_option", "Single-AZ")),
                   static=(("product_instance_type", "db.t4g.medium"),
                           ("product_instance_family", "General purpose"))),
         ), names=("shop-orders-db-staging",),
         team=ORDERS, zonal=True, untagged=0.0, churn=0.0, spread=0.0),
    Kind("staging-nat", STAGING, "AmazonEC2", 1, NAT, nat(40.0),
         zonal=True, untagged=1.0, churn=0.0, spread=0.0),
    Kind("staging-lambda", STAGING, "AWSLambda", 15, FUNCTION, lambdas(120_000, 300_000),
         names=("catalog-api-handler", "orders-worker", "checkout-webhook", "inventory-sync"),
         team=ORDERS, spread=1.0, untagged=0.25),
    Kind("staging-buckets", STAGING, "AmazonS3", 10, BY_NAME,
         (s3("standard", 120), s3_requests(2, 200_000)),
         names=("northpeak-staging-assets", "northpeak-staging-uploads", "northpeak-qa-fixtures"),
         team=WEB, spread=1.0, untagged=0.4),
    Kind("staging-logs", STAGING, "AmazonCloudWatch", 24, LOG_GROUP, logs(1.2),
         names=("/ecs/checkout-api-staging", "/aws/lambda/orders-worker-staging", "/ecs/qa"),
         team=SRE, spread=1.0, untagged=0.4),
    # data-platform --------------------------------------------------------------------------
    Kind("dp-spark-spot", DATA, "AmazonEC2", 100, INSTANCE,
         (ec2("r5.2xlarge", purchase="spot", frac=0.5, weekday=0.5, sigma=0.35, p_idle=0.1),),
         team=SPARK, data_class="confidential", zonal=True, churn=0.6),
    Kind("dp-volumes", DATA, "AmazonEC2", 100, VOLUME, (ebs("gp3", 500, 0.08),),
         team=SPARK, zonal=True, spread=0.5, untagged=0.2, churn=0.5),
    Kind("dp-lake", DATA, "AmazonS3", 44, BY_NAME, (
             s3("standard", 3000), s3("ia", 4000), s3("glacier-ir", 10000),
             s3("deep-archive", 40000), s3_requests(1, 400_000), s3_requests(2, 6_000_000),
         ), names=("northpeak-datalake-raw", "northpeak-datalake-curated",
                   "northpeak-datalake-sandbox", "northpeak-clickstream",
                   "northpeak-athena-results", "northpeak-ml-features", "northpeak-dwh-exports"),
         team=LAKE, data_class="confidential", spread=0.9, untagged=0.1, churn=0.1),
    Kind("dp-glue", DATA, "AWSGlue", 26, "arn:aws:glue:{region}:{account}:job/{name}", (
             Use("{p}ETL-DPU-Hour", "Jobrun", "DPU-Hour", 0.44, "AWS Glue",
                 "$0.44 per DPU-Hour for each Apache Spark or Spark Streaming job",
                 9, weekday=0.3, sigma=0.4, p_idle=0.1, growth=0.02),
         ), names=("orders-to-lake", "clickstream-sessionize", "inventory-snapshot", "dwh-load"),
         team=LAKE, spread=0.9, untagged=0.2),
    Kind("dp-athena", DATA, "AmazonAthena", 6,
         "arn:aws:athena:{region}:{account}:workgroup/{name}", (
             Use("{p}DataScannedInTB", "RunQuery", "Terabytes", 5.0, "Athena Queries",
                 "$5.00 per Terabyte Scanned", 0.6, weekday=0.9, sigma=0.4, growth=0.03),
         ), names=("analysts", "finops", "data-eng", "primary", "adhoc", "dashboards"),
         team=("analytics", "team-data"), spread=0.8, untagged=0.2, churn=0.0),
    Kind("dp-tables", DATA, "AmazonDynamoDB", 6, TABLE, dynamodb(8_000_000, 2_000_000, 40),
         names=("job-state", "feature-store", "lineage", "watermarks"),
         team=LAKE, spread=1.0, untagged=0.2),
    Kind("dp-logs", DATA, "AmazonCloudWatch", 50, LOG_GROUP, logs(3.0),
         names=("/aws-glue/jobs/output", "/aws-glue/jobs/error", "/emr/spark", "/airflow/tasks"),
         team=("observability", "team-data"), spread=1.2, untagged=0.3),
    Kind("dp-lambda", DATA, "AWSLambda", 16, FUNCTION, lambdas(150_000, 800_000),
         names=("lake-partitioner", "schema-validator", "file-compactor", "crawler-trigger"),
         team=LAKE, spread=1.0, untagged=0.2),
    Kind("dp-nat", DATA, "AmazonEC2", 2, NAT, nat(250.0),
         zonal=True, untagged=1.0, churn=0.0, spread=0.3),
    # ml-research ----------------------------------------------------------------------------
    Kind("ml-notebooks", ML, "AmazonSageMaker", 26,
         "arn:aws:sagemaker:{region}:{account}:notebook-instance/{name}", (
             hours("{p}Notebk:ml.t3.medium", "RunInstance", 0.05, "ML Instance",
                   "$0.05 per hour for ml.t3.medium Notebook Instance",
                   frac=0.6, weekday=0.7, sigma=0.2, p_idle=0.1,
                   static=(("product_instance_type", "ml.t3.medium"),)),
         ), names=("nb-ana", "nb-bruno", "nb-chen", "nb-dara", "nb-emil", "nb-farah", "nb-goran"),
         team=ML_TEAM, untagged=0.25, churn=0.5,
         principal="arn:aws:iam::556677889900:role/SageMakerNotebookRole"),
    Kind("ml-training", ML, "AmazonSageMaker", 16,
         "arn:aws:sagemaker:{region}:{account}:training-job/{name}", (
             hours("{p}Train:ml.g5.xlarge", "RunInstance", 1.408, "ML Instance",
                   "$1.408 per hour for ml.g5.xlarge Training Instance",
                   frac=0.3, weekday=0.9, sigma=0.5, p_idle=0.45,
                   static=(("product_instance_type", "ml.g5.xlarge"),)),
         ), names=("demand-forecast", "reco-two-tower", "size-advisor", "churn-model"),
         team=ML_TEAM, data_class="confidential", untagged=0.2, churn=0.5,
         principal="arn:aws:iam::556677889900:role/SageMakerTrainingRole"),
    Kind("ml-endpoints", ML, "AmazonSageMaker", 4,
         "arn:aws:sagemaker:{region}:{account}:endpoint/{name}", (
             hours("{p}Host:ml.m5.large", "RunInstance", 0.115, "ML Instance",
                   "$0.115 per hour for ml.m5.large Hosting Instance",
                   static=(("product_instance_type", "ml.m5.large"),)),
         ), names=("reco-endpoint", "forecast-endpoint", "size-endpoint", "fraud-endpoint"),
         team=ML_TEAM, untagged=0.1, churn=0.2),
    Kind("ml-gpu-boxes", ML, "AmazonEC2", 8, INSTANCE,
         (ec2("g5.xlarge", frac=0.45, weekend_off=True, sigma=0.15, p_idle=0.1),),
         team=ML_TEAM, zonal=True, untagged=0.4, churn=0.4),
    Kind("ml-buckets", ML, "AmazonS3", 16, BY_NAME, (
             s3("standard", 2500), s3("ia", 3000), s3_requests(1, 40_000),
             s3_requests(2, 700_000),
         ), names=("northpeak-ml-datasets", "northpeak-ml-models", "northpeak-ml-scratch"),
         team=ML_TEAM, data_class="confidential", spread=1.2, untagged=0.35),
    Kind("ml-logs", ML, "AmazonCloudWatch", 12, LOG_GROUP, logs(1.5),
         names=("/aws/sagemaker/TrainingJobs", "/aws/sagemaker/Endpoints/reco-endpoint"),
         team=("observability", "team-ml"), spread=1.0, untagged=0.4),
    # shared-services ------------------------------------------------------------------------
    Kind("ci-runners", SHARED, "AmazonEC2", 60, INSTANCE,
         (ec2("c5.2xlarge", purchase="spot", frac=0.4, weekday=1.1, sigma=0.3, p_idle=0.2),),
         team=CI, zonal=True, untagged=0.35, churn=0.7),
    Kind("monitoring", SHARED, "AmazonEC2", 6, INSTANCE,
         (ec2("m6g.large"), transfer("inter-az", 20.0, weekday=0.1)),
         team=SRE, zonal=True, untagged=0.0, churn=0.0),
    Kind("registries", SHARED, "AmazonECR", 30,
         "arn:aws:ecr:{region}:{account}:repository/{name}", (
             Use("{p}TimedStorage-ByteHrs", "", "GB-Mo", 0.10, "EC2 Container Registry",
                 "$0.10 per GB-month of data storage", 45, STOCK, sigma=0.01, growth=0.03),
         ), names=("checkout-api", "storefront", "orders-worker", "spark-base", "ci-images"),
         team=CI, spread=1.0, untagged=0.3),
    Kind("tgw", SHARED, "AmazonVPC", 5,
         "arn:aws:ec2:{region}:{account}:transit-gateway-attachment/tgw-attach-0{hex16}", (
             hours("{p}TransitGateway-Hours", "TransitGatewayVPC", 0.05, "Transit Gateway",
                   "$0.05 per TransitGateway VPC attachment-hour (or partial hour)"),
             Use("{p}TransitGateway-Bytes", "TransitGatewayVPC", "GB", 0.02, "Transit Gateway",
                 "$0.02 per GB - Transit Gateway data processed",
                 120, weekday=0.3, sigma=0.15),
         ), team=NETWORK, untagged=0.2, churn=0.0),
    Kind("shared-logs", SHARED, "AmazonCloudWatch", 36, LOG_GROUP, logs(2.5),
         names=("/aws/codebuild/ci", "/aws/route53resolver", "/aws/vpc/flow-logs", "/grafana"),
         team=SRE, spread=1.2, untagged=0.25),
    Kind("shared-metrics", SHARED, "AmazonCloudWatch", 1, "", (
             Use("{p}CW:MetricMonitorUsage", "MetricStorage", "Metrics", 0.3, "Metric",
                 "$0.30 per metric-month for the first 10,000 metrics",
                 1500, STOCK, sigma=0.01, growth=0.02),
             Use("{p}CW:Requests", "GetMetricData", "Requests", 0.00001, "API Request",
                 "$0.01 per 1,000 metrics requested using GetMetricData API",
                 1_000_000, weekday=0.2, sigma=0.1),
         ), untagged=1.0, churn=0.0, spread=0.0),
    Kind("shared-keys", SHARED, "awskms", 12, KMS_KEY, kms(),
         team=SECURITY, data_class="restricted", spread=0.0, untagged=0.3, churn=0.05),
    Kind("shared-endpoints", SHARED, "AmazonVPC", 8, VPC_ENDPOINT, vpc_endpoint(),
         team=NETWORK, spread=0.5, untagged=0.4, churn=0.05),
    # management (payer) ---------------------------------------------------------------------
    Kind("payer-buckets", PAYER, "AmazonS3", 2, BY_NAME,
         (s3("standard", 400), s3_requests(1, 20_000), s3_requests(2, 300_000)),
         names=(BUCKET, "northpeak-org-cloudtrail"),
         team=GOVERNANCE, untagged=0.0, churn=0.0),
    Kind("payer-config", PAYER, "AWSConfig", 1, "", (
             Use("{p}ConfigurationItemRecorded", "", "ConfigurationItemRecorded", 0.003,
                 "Management Tools - AWS Config", "$0.003 per Configuration Item recorded",
                 3000, weekday=0.4, sigma=0.15),
         ), untagged=1.0, churn=0.0, spread=0.0),
    Kind("payer-keys", PAYER, "awskms", 2, KMS_KEY, kms(),
         team=GOVERNANCE, data_class="restricted", spread=0.0, untagged=0.0, churn=0.0),
)  # fmt: skip


def kinds() -> tuple[Kind, ...]:
    """Return the resource catalogue; story (fixed) kinds first so their ids never move."""
    return _STORY + _BULK
