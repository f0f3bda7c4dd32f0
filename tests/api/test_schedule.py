"""The scheduled minute tick, invoked the way EventBridge invokes it."""

from datetime import timedelta

from tests.api.client import PHONE_E164, ticket


def test_the_minute_tick_sends_the_sms_that_failed_at_filing(api, client, sms, clock):
    cookie = api.sign_in()
    sms.fail_next()
    number = api.json(api.post("/api/tickets", ticket(), headers=cookie))["number"]
    assert not any(number in text for text in sms.to(PHONE_E164))
    clock.advance(timedelta(minutes=1))
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=["arn:aws:events:eu-central-1:123456789012:rule/minute"])
    client.lambda_.invoke("minute_tick", event)
    assert [text for text in sms.to(PHONE_E164) if number in text] != []
    assert api.deps.storage.outbox.ready(clock.now() + timedelta(days=1)) == []
