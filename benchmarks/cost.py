"""The monthly AWS bill at 1 000, 10 000 and 100 000 tickets (tools/cost_model.py): one
ticket's whole life counted on DynamoDB, S3, SNS and SES under moto through the real API,
priced at public prices with only the always-free allowances. SMS are priced apart."""

from tools import cost_model

GOAL_USD_10K = 2.0


def measure() -> dict:
    return cost_model.figures(cost_model.count())
