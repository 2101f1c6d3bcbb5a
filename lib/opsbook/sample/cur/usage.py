"""Usage components: what a resource is billed for each day, and constructors of the common ones.

Strings of a :class:`Use` may hold ``{p}`` (the region's usage type prefix, e.g. ``USE1-``),
``{loc}`` (its location name), ``{region}`` and, in the description, ``{rate}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Usage models: how a component's daily amount is drawn.
HOURS, FLOW, STOCK, MONTHLY = range(4)


@dataclass(frozen=True)
class Use:
    """One usage component of a resource, priced at the public on-demand rate."""

    usage_type: str
    operation: str
    unit: str
    rate: float  # public on-demand USD per unit
    family: str  # product_product_family
    description: str  # may hold {rate}
    amount: float = 1.0  # units a day (flow), GB held (stock), instances (hours)
    model: int = FLOW
    frac: float = 1.0  # hours model: share of the day running
    weekday: float = 0.0  # weekday amplitude: weekday x(1 + 2w/7), weekend x(1 - 5w/7)
    sigma: float = 0.12  # day-to-day lognormal noise
    growth: float = 0.0  # growth per month
    p_idle: float = 0.0  # chance a resource does not use this component on a day
    weekend_off: bool = False
    purchase: str = "od"  # od | spot | sp | ri-ec2 | ri-rds
    spot_rate: float = 0.0
    sp_rate: float = 0.0
    norm: float = 0.0  # normalization factor (EC2/RDS instance size)
    product_code: str = ""  # override: data transfer bills as AWSDataTransfer
    product: tuple[tuple[str, str], ...] = ()
    static: tuple[tuple[str, str], ...] = ()  # product_* columns


def hours(
    usage_type: str,
    operation: str,
    rate: float,
    family: str,
    description: str,
    *,
    unit: str = "Hrs",
    sigma: float = 0.0,
    **options: Any,
) -> Use:
    """Return a component billed per running hour (``amount`` is the number running)."""
    return Use(
        usage_type, operation, unit, rate, family, description, model=HOURS, sigma=sigma, **options
    )


# EC2 instance types: (USD per hour in us-east-1, vCPU, memory, instance family, processor).
INSTANCES: dict[str, tuple[float, str, str, str, str]] = {
    "m5.large": (0.096, "2", "8 GiB", "General purpose", "Intel Xeon Platinum 8175"),
    "m5.xlarge": (0.192, "4", "16 GiB", "General purpose", "Intel Xeon Platinum 8175"),
    "m6g.large": (0.077, "2", "8 GiB", "General purpose", "AWS Graviton2 Processor"),
    "c5.large": (0.085, "2", "4 GiB", "Compute optimized", "Intel Xeon Platinum 8124M"),
    "c5.xlarge": (0.17, "4", "8 GiB", "Compute optimized", "Intel Xeon Platinum 8124M"),
    "c5.2xlarge": (0.34, "8", "16 GiB", "Compute optimized", "Intel Xeon Platinum 8124M"),
    "r5.2xlarge": (0.504, "8", "64 GiB", "Memory optimized", "Intel Xeon Platinum 8175"),
    "g5.xlarge": (1.006, "4", "16 GiB", "GPU instance", "AMD EPYC 7R32"),
}
_SIZE_FACTORS = {"medium": 2.0, "large": 4.0, "xlarge": 8.0, "2xlarge": 16.0}


def ec2(
    itype: str,
    *,
    purchase: str = "od",
    frac: float = 1.0,
    weekday: float = 0.0,
    sigma: float = 0.0,
    weekend_off: bool = False,
    p_idle: float = 0.0,
    rate_factor: float = 1.0,
) -> Use:
    """Return Linux instance hours of ``itype``, bought ``purchase`` (od, spot, sp or ri-ec2)."""
    hourly, vcpu, memory, family, processor = INSTANCES[itype]
    rate = round(hourly * rate_factor, 4)
    spot = purchase == "spot"
    return Use(
        usage_type=f"{{p}}{'SpotUsage' if spot else 'BoxUsage'}:{itype}",
        operation="RunInstances:SV001" if spot else "RunInstances",
        unit="Hrs",
        rate=rate,
        family="Compute Instance",
        description=(
            f"${{rate}} per Linux/UNIX Spot Instance-hour for {itype} in {{loc}}"
            if spot
            else f"${{rate}} per On Demand Linux {itype} Instance Hour"
        ),
        model=HOURS,
        frac=frac,
        weekday=weekday,
        sigma=sigma,
        weekend_off=weekend_off,
        p_idle=p_idle,
        purchase=purchase,
        spot_rate=round(rate * 0.34, 4),
        sp_rate=round(rate * (0.70 if itype.startswith("r5") else 0.72), 4),
        norm=_SIZE_FACTORS.get(itype.rsplit(".", 1)[-1], 0.0),
        product=(
            ("instance_type_family", itype.split(".")[0]), ("operating_system", "Linux"),
            ("tenancy", "Shared"), ("vcpu", vcpu), ("memory", memory),
            ("physical_processor", processor), ("current_generation", "Yes"),
            ("capacitystatus", "Used"), ("license_model", "No License required"),
            ("pre_installed_sw", "NA"),
        ),
        static=(("product_instance_type", itype), ("product_instance_family", family)),
    )  # fmt: skip


def ebs(volume: str, gb: float, rate: float) -> Use:
    """Return provisioned EBS storage of ``volume`` type (gp2 or gp3), ``gb`` per volume."""
    label = {"gp3": "General Purpose (gp3)", "gp2": "General Purpose SSD (gp2)"}[volume]
    return Use(f"{{p}}EBS:VolumeUsage.{volume}", f"CreateVolume-{volume.capitalize()}", "GB-Mo",
               rate, "Storage", f"${{rate}} per GB-month of {label} provisioned storage - {{loc}}",
               gb, STOCK, sigma=0.01, growth=0.01,
               product=(("volume_api_name", volume), ("storage_media", "SSD-backed")))  # fmt: skip


# Data transfer: kind -> (usage type, operation, USD per GB, transfer type, to location,
# to region, to location type).
_TRANSFERS = {
    "inter-az": ("{p}DataTransfer-Regional-Bytes", "InterZone-Out", 0.01, "IntraRegion",
                 "{loc}", "{region}", "AWS Region"),
    "internet": ("{p}DataTransfer-Out-Bytes", "RunInstances", 0.09, "AWS Outbound",
                 "External", "", "Other"),
    "inter-region": ("{p}EU-AWS-Out-Bytes", "PutObjectForRepl", 0.02, "InterRegion Outbound",
                     "EU (Ireland)", "eu-west-1", "AWS Region"),
}  # fmt: skip


def transfer(kind: str, gb: float, *, weekday: float = 0.3, product_code: str = "") -> Use:
    """Return ``gb`` a day of data transfer: ``inter-az``, ``internet`` or ``inter-region``."""
    usage_type, operation, rate, transfer_type, to_loc, to_region, to_type = _TRANSFERS[kind]
    return Use(
        usage_type, operation, "GB", rate, "Data Transfer",
        f"${{rate}} per GB - {{loc}} data transfer {kind.replace('-', ' ')}",
        gb, weekday=weekday, sigma=0.2, growth=0.02, product_code=product_code,
        product=(("transfer_type", transfer_type),),
        static=(
            ("product_servicecode", "AWSDataTransfer"), ("product_from_location", "{loc}"),
            ("product_from_location_type", "AWS Region"), ("product_from_region_code", "{region}"),
            ("product_to_location", to_loc), ("product_to_location_type", to_type),
            ("product_to_region_code", to_region),
        ),
    )  # fmt: skip


# S3 storage classes: name -> (usage type, operation, USD per GB-month, storage class).
_S3_CLASSES = {
    "standard": ("TimedStorage-ByteHrs", "StandardStorage", 0.023, "General Purpose"),
    "ia": ("TimedStorage-SIA-ByteHrs", "StandardIAStorage", 0.0125, "Infrequent Access"),
    "glacier-ir": ("TimedStorage-GIR-ByteHrs", "GlacierInstantRetrievalStorage", 0.004,
                   "Archive Instant Retrieval"),
    "deep-archive": ("TimedStorage-GDA-ByteHrs", "DeepArchiveStorage", 0.00099, "Archive"),
}  # fmt: skip


def s3(storage: str, gb: float) -> Use:
    """Return ``gb`` of S3 storage in class ``storage`` (see ``_S3_CLASSES``)."""
    usage_type, operation, rate, storage_class = _S3_CLASSES[storage]
    return Use("{p}" + usage_type, operation, "GB-Mo", rate, "Storage",
               f"${{rate}} per GB-Month of storage used ({storage_class})", gb, STOCK,
               sigma=0.01, growth=0.03,
               product=(("storage_class", storage_class),
                        ("volume_type", storage_class)))  # fmt: skip


# S3 request tiers: tier -> (operation, USD per request, description).
_S3_REQUESTS = {
    1: ("PutObject", 0.000005, "$0.005 per 1,000 PUT, COPY, POST, or LIST requests"),
    2: ("GetObject", 0.0000004, "$0.0004 per 1,000 GET and all other requests"),
}


def s3_requests(tier: int, count: float) -> Use:
    """Return ``count`` S3 requests a day: tier 1 (PUT, LIST, ...) or tier 2 (GET, ...)."""
    operation, rate, description = _S3_REQUESTS[tier]
    return Use(f"{{p}}Requests-Tier{tier}", operation, "Requests", rate, "API Request",
               description, count, weekday=0.4, sigma=0.25, growth=0.02,
               product=(("group", f"S3-API-Tier{tier}"),))  # fmt: skip


def logs(gb_per_day: float) -> tuple[Use, Use]:
    """Return CloudWatch Logs ingestion (``gb_per_day``) and storage (20 days' worth)."""
    return (
        Use("{p}DataProcessing-Bytes", "PutLogEvents", "GB", 0.5, "Data Payload",
            "$0.50 per GB custom log data ingested",
            gb_per_day, weekday=0.3, sigma=0.2, growth=0.02),
        Use("{p}TimedStorage-ByteHrs", "HourlyStorageMetering", "GB-Mo", 0.03, "Storage Snapshot",
            "$0.03 per GB-mo of log storage",
            gb_per_day * 20, STOCK, sigma=0.01, growth=0.03),
    )  # fmt: skip


def lambdas(gb_seconds: float, requests: float) -> tuple[Use, Use]:
    """Return Lambda compute (GB-seconds a day) and requests a day."""
    return (
        Use("{p}Lambda-GB-Second", "Invoke", "Lambda-GB-Second", 0.0000166667, "Serverless",
            "AWS Lambda - Total Compute - {loc}",
            gb_seconds, weekday=0.35, sigma=0.2, growth=0.03,
            product=(("group", "AWS-Lambda-Duration"),)),
        Use("{p}Request", "Invoke", "Requests", 0.0000002, "Serverless",
            "AWS Lambda - Total Requests - {loc}",
            requests, weekday=0.35, sigma=0.2, growth=0.03,
            product=(("group", "AWS-Lambda-Requests"),)),
    )  # fmt: skip


def dynamodb(reads: float, writes: float, gb: float) -> tuple[Use, Use, Use]:
    """Return on-demand DynamoDB reads and writes a day, and ``gb`` of table storage."""
    throughput = "Amazon DynamoDB PayPerRequest Throughput"
    return (
        Use("{p}ReadRequestUnits", "PayPerRequestThroughput", "ReadRequestUnits", 0.00000025,
            throughput, "$0.25 per million read request units",
            reads, weekday=0.35, sigma=0.2, growth=0.02),
        Use("{p}WriteRequestUnits", "PayPerRequestThroughput", "WriteRequestUnits", 0.00000125,
            throughput, "$1.25 per million write request units",
            writes, weekday=0.3, sigma=0.2, growth=0.02),
        Use("{p}TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.25, "Database Storage",
            "$0.25 per GB-Month of storage used beyond first 25 free GB-Months",
            gb, STOCK, sigma=0.01, growth=0.03),
    )  # fmt: skip


def kms() -> tuple[Use, Use]:
    """Return one customer managed KMS key and its requests."""
    return (
        Use("{p}KMS-Keys", "CreateKey", "Keys", 1.0, "Encryption Key",
            "$1 per customer managed key per month", model=STOCK, sigma=0.0),
        Use("{p}KMS-Requests", "Decrypt", "Requests", 0.000003, "API Request",
            "$0.03 per 10,000 requests", 60000, weekday=0.3, sigma=0.25),
    )  # fmt: skip


def vpc_endpoint() -> tuple[Use, Use]:
    """Return an interface VPC endpoint (three zones) and the data it processes."""
    return (
        hours("{p}VpcEndpoint-Hours", "VpcEndpoint", 0.01, "VpcEndpoint",
              "$0.01 per VPC Endpoint Hour", amount=3),
        Use("{p}VpcEndpoint-Bytes", "VpcEndpoint", "GB", 0.01, "VpcEndpoint",
            "$0.01 per GB - VPC Endpoint data processed", 40, weekday=0.3, sigma=0.2),
    )  # fmt: skip


def nat(gb_per_day: float) -> tuple[Use, Use]:
    """Return a NAT gateway's hours and ``gb_per_day`` of data processed."""
    return (
        hours("{p}NatGateway-Hours", "NatGateway", 0.045, "NAT Gateway",
              "$0.045 per NAT Gateway Hour"),
        Use("{p}NatGateway-Bytes", "NatGateway", "GB", 0.045, "NAT Gateway",
            "$0.045 per GB Data Processed by NAT Gateways",
            gb_per_day, weekday=0.3, sigma=0.1, growth=0.02),
    )  # fmt: skip
