from customer_behavior import pipeline


def model(dbt, session):
    customers = dbt.ref("customers")
    features = dbt.ref("segment_features")
    assignments = dbt.ref("customer_segment_assignments")
    # read only when the features have no channel shares (purchases per channel, iFood)
    channel_purchases = dbt.ref("int_customer_channel_spend")
    return pipeline.segment_profiles(customers, features, assignments, channel_purchases)
