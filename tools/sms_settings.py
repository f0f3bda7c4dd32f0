"""Set the account's SMS settings in SNS, a deploy step: CloudFormation has no resource for them.

    python -m tools.sms_settings --spend-limit USD [--sender-id NAME] [--region REGION]

- DefaultSMSType Transactional: delivery is tried harder than for promotional SMS
  (sign-in codes and status changes are not marketing). Each SMS also says so itself.
- DefaultSenderID: the name on the phone where the country allows sender ids; by
  default the functions' CITYDESK_SMS_SENDER_ID (functions/.chalice/config.json).
- MonthlySpendLimit: SNS stops sending SMS for the rest of the month at this many US
  dollars. A new account's limit is 1 USD; above what AWS granted the account (a
  support case, "SNS Text Messaging"), SNS refuses the value. Keep the template's
  SmsSpendAlarmUsd below it, so that the alarm comes first.

It prints the settings as SNS holds them afterwards.
"""

import argparse
import json
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "functions" / ".chalice" / "config.json"


def default_sender_id() -> str:
    return json.loads(CONFIG.read_text(encoding="utf-8"))["environment_variables"]["CITYDESK_SMS_SENDER_ID"]


def attributes(spend_limit: int, sender_id: str) -> dict:
    return {"DefaultSMSType": "Transactional", "DefaultSenderID": sender_id, "MonthlySpendLimit": str(spend_limit)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spend-limit", type=int, required=True, help="US dollars a month, a whole number")
    parser.add_argument("--sender-id", default=default_sender_id(), help="up to 11 letters and digits")
    parser.add_argument("--region", help="the stack's region (default: the AWS configuration's)")
    args = parser.parse_args(argv)
    if not (args.sender_id.isalnum() and len(args.sender_id) <= 11):
        parser.error("--sender-id: up to 11 letters and digits")
    import boto3

    sns = boto3.client("sns", region_name=args.region)
    sns.set_sms_attributes(attributes=attributes(args.spend_limit, args.sender_id))
    held = sns.get_sms_attributes()["attributes"]
    print(json.dumps(held, indent=2, sort_keys=True))
    return held


if __name__ == "__main__":
    main()
