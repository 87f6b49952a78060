from customer_behavior import pipeline


def model(dbt, session):
    customers = dbt.ref("customers")
    features = dbt.ref("segment_features")
    assignments = dbt.ref("customer_segment_assignments")
    return pipeline.segment_profiles(customers, features, assignments)
