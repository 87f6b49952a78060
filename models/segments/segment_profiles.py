from customer_behavior import pipeline


def model(dbt, session):
    customers = dbt.ref("customers").df()
    features = dbt.ref("segment_features").df()
    assignments = dbt.ref("customer_segment_assignments").df()
    return pipeline.segment_profiles(customers, features, assignments)
