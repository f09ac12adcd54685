package schemas

// CQC Syndication API v1 payloads, as served by api.service.cqc.org.uk/public/v1
// (docs/architecture.md, "The CQC API"). The simulator serves these types
// and normalise parses them, so both agree on every key.
//
// Conventions: the real API omits absent keys (never null). Optional scalars
// are pointers with omitempty; lists the API always sends (relationships,
// locationTypes, regulatedActivities, ...) have no omitempty and must be
// non-nil (serialised as []); optional lists have omitempty.

// Ptr returns a pointer to v, for building payloads.
func Ptr[T any](v T) *T { return &v }

// PageInfo is the paging envelope shared by list and changes pages. URIs are
// relative to the API base and null at the ends.
type PageInfo struct {
	Total           int     `json:"total"`
	Page            int     `json:"page"`
	PerPage         int     `json:"perPage"`
	TotalPages      int     `json:"totalPages"`
	FirstPageURI    *string `json:"firstPageUri"`
	PreviousPageURI *string `json:"previousPageUri"`
	NextPageURI     *string `json:"nextPageUri"`
	LastPageURI     *string `json:"lastPageUri"`
	URI             string  `json:"uri"`
}

// LocationSummary is a thin item of GET /locations.
type LocationSummary struct {
	LocationID   string `json:"locationId"`
	LocationName string `json:"locationName"`
	PostalCode   string `json:"postalCode"`
}

// ProviderSummary is a thin item of GET /providers.
type ProviderSummary struct {
	ProviderID   string `json:"providerId"`
	ProviderName string `json:"providerName"`
}

// LocationsPage is a page of GET /locations.
type LocationsPage struct {
	PageInfo
	Locations []LocationSummary `json:"locations"`
}

// ProvidersPage is a page of GET /providers.
type ProvidersPage struct {
	PageInfo
	Providers []ProviderSummary `json:"providers"`
}

// ChangesPage is a page of GET /changes/{location|provider}: plain IDs.
type ChangesPage struct {
	PageInfo
	Changes []string `json:"changes"`
}

// APIError is the JSON error body of the API gateway (401, soft 429) and of
// 404s: {"statusCode": 401, "message": "Access denied due to ..."}.
type APIError struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// Location is GET /locations/{id}.
type Location struct {
	LocationID                  string   `json:"locationId"`
	ProviderID                  *string  `json:"providerId,omitempty"`
	OrganisationType            *string  `json:"organisationType,omitempty"`
	Type                        *string  `json:"type,omitempty"`
	Name                        *string  `json:"name,omitempty"`
	AlsoKnownAs                 *string  `json:"alsoKnownAs,omitempty"`
	BrandID                     *string  `json:"brandId,omitempty"`
	BrandName                   *string  `json:"brandName,omitempty"`
	OnspdCcgCode                *string  `json:"onspdCcgCode,omitempty"`
	OnspdCcgName                *string  `json:"onspdCcgName,omitempty"`
	OdsCcgCode                  *string  `json:"odsCcgCode,omitempty"`
	OdsCcgName                  *string  `json:"odsCcgName,omitempty"`
	OnspdIcbCode                *string  `json:"onspdIcbCode,omitempty"`
	OnspdIcbName                *string  `json:"onspdIcbName,omitempty"`
	OdsCode                     *string  `json:"odsCode,omitempty"`
	Uprn                        *string  `json:"uprn,omitempty"`
	RegistrationStatus          *string  `json:"registrationStatus,omitempty"`
	RegistrationDate            *string  `json:"registrationDate,omitempty"`
	DeregistrationDate          *string  `json:"deregistrationDate,omitempty"`
	Dormancy                    *string  `json:"dormancy,omitempty"`
	DormancyStartDate           *string  `json:"dormancyStartDate,omitempty"`
	DormancyEndDate             *string  `json:"dormancyEndDate,omitempty"`
	NumberOfBeds                *int64   `json:"numberOfBeds,omitempty"`
	Website                     *string  `json:"website,omitempty"`
	PostalAddressLine1          *string  `json:"postalAddressLine1,omitempty"`
	PostalAddressLine2          *string  `json:"postalAddressLine2,omitempty"`
	PostalAddressTownCity       *string  `json:"postalAddressTownCity,omitempty"`
	PostalAddressCounty         *string  `json:"postalAddressCounty,omitempty"`
	PostalCode                  *string  `json:"postalCode,omitempty"`
	Region                      *string  `json:"region,omitempty"`
	OnspdLatitude               *float64 `json:"onspdLatitude,omitempty"`
	OnspdLongitude              *float64 `json:"onspdLongitude,omitempty"`
	CareHome                    *string  `json:"careHome,omitempty"`
	InspectionDirectorate       *string  `json:"inspectionDirectorate,omitempty"`
	MainPhoneNumber             *string  `json:"mainPhoneNumber,omitempty"`
	RegisteredManagerAbsentDate *string  `json:"registeredManagerAbsentDate,omitempty"`
	Constituency                *string  `json:"constituency,omitempty"`
	LocalAuthority              *string  `json:"localAuthority,omitempty"`

	LastInspection          *LastInspection          `json:"lastInspection,omitempty"`
	LastReport              *LastReport              `json:"lastReport,omitempty"`
	Relationships           []LocationRelationship   `json:"relationships"`
	LocationTypes           []LocationType           `json:"locationTypes"`
	RegulatedActivities     []RegulatedActivity      `json:"regulatedActivities"`
	GacServiceTypes         []GacServiceType         `json:"gacServiceTypes"`
	Specialisms             []Specialism             `json:"specialisms"`
	InspectionCategories    []InspectionCategory     `json:"inspectionCategories"`
	InspectionAreas         []InspectionArea         `json:"inspectionAreas"`
	CurrentRatings          *CurrentRatings          `json:"currentRatings,omitempty"`
	HistoricRatings         []HistoricRating         `json:"historicRatings,omitempty"`
	Reports                 []Report                 `json:"reports,omitempty"`
	UnpublishedReports      []UnpublishedReport      `json:"unpublishedReports,omitempty"`
	ProviderInspectionAreas []ProviderInspectionArea `json:"providerInspectionAreas,omitempty"`
	Specialism              []CodeName               `json:"specialism,omitempty"`
	AgeGroup                []CodeName               `json:"ageGroup,omitempty"`
	SettingServices         []SettingService         `json:"settingServices,omitempty"`
	Assessment              []Assessment             `json:"assessment,omitempty"`
	AssessmentServiceGroup  []AssessmentServiceGroup `json:"assessmentServiceGroup,omitempty"`
}

// Provider is GET /providers/{id}. Its locationIds include deregistered locations.
type Provider struct {
	ProviderID            string   `json:"providerId"`
	LocationIDs           []string `json:"locationIds"`
	OrganisationType      *string  `json:"organisationType,omitempty"`
	OwnershipType         *string  `json:"ownershipType,omitempty"`
	Type                  *string  `json:"type,omitempty"`
	Name                  *string  `json:"name,omitempty"`
	AlsoKnownAs           *string  `json:"alsoKnownAs,omitempty"`
	BrandID               *string  `json:"brandId,omitempty"`
	BrandName             *string  `json:"brandName,omitempty"`
	OdsCode               *string  `json:"odsCode,omitempty"`
	RegistrationStatus    *string  `json:"registrationStatus,omitempty"`
	RegistrationDate      *string  `json:"registrationDate,omitempty"`
	DeregistrationDate    *string  `json:"deregistrationDate,omitempty"`
	CompaniesHouseNumber  *string  `json:"companiesHouseNumber,omitempty"`
	CharityNumber         *string  `json:"charityNumber,omitempty"`
	Website               *string  `json:"website,omitempty"`
	MainPhoneNumber       *string  `json:"mainPhoneNumber,omitempty"`
	Uprn                  *string  `json:"uprn,omitempty"`
	PostalAddressLine1    *string  `json:"postalAddressLine1,omitempty"`
	PostalAddressLine2    *string  `json:"postalAddressLine2,omitempty"`
	PostalAddressTownCity *string  `json:"postalAddressTownCity,omitempty"`
	PostalAddressCounty   *string  `json:"postalAddressCounty,omitempty"`
	PostalCode            *string  `json:"postalCode,omitempty"`
	Region                *string  `json:"region,omitempty"`
	OnspdLatitude         *float64 `json:"onspdLatitude,omitempty"`
	OnspdLongitude        *float64 `json:"onspdLongitude,omitempty"`
	OnspdIcbCode          *string  `json:"onspdIcbCode,omitempty"`
	OnspdIcbName          *string  `json:"onspdIcbName,omitempty"`
	Constituency          *string  `json:"constituency,omitempty"`
	LocalAuthority        *string  `json:"localAuthority,omitempty"`
	InspectionDirectorate *string  `json:"inspectionDirectorate,omitempty"`

	LastInspection       *LastInspection        `json:"lastInspection,omitempty"`
	LastReport           *LastReport            `json:"lastReport,omitempty"`
	Contacts             []Contact              `json:"contacts,omitempty"`
	Relationships        []ProviderRelationship `json:"relationships"`
	RegulatedActivities  []RegulatedActivity    `json:"regulatedActivities"`
	InspectionCategories []InspectionCategory   `json:"inspectionCategories"`
	InspectionAreas      []InspectionArea       `json:"inspectionAreas"`
	CurrentRatings       *CurrentRatings        `json:"currentRatings,omitempty"`
	HistoricRatings      []HistoricRating       `json:"historicRatings,omitempty"`
	Reports              []Report               `json:"reports,omitempty"`
	UnpublishedReports   []UnpublishedReport    `json:"unpublishedReports,omitempty"`
}

type LastInspection struct {
	Date string `json:"date"`
}

type LastReport struct {
	PublicationDate string `json:"publicationDate"`
}

// LocationRelationship links re-registrations: Type is "HSCA Predecessor" or
// "HSCA Successor"; Reason e.g. "Legal Entity Change", "New Provider",
// "Location Move", "NHS Transfer".
type LocationRelationship struct {
	RelatedLocationID   string `json:"relatedLocationId"`
	RelatedLocationName string `json:"relatedLocationName"`
	Type                string `json:"type"`
	Reason              string `json:"reason"`
}

type ProviderRelationship struct {
	RelatedProviderID   string `json:"relatedProviderId"`
	RelatedProviderName string `json:"relatedProviderName"`
	Type                string `json:"type"`
	Reason              string `json:"reason"`
}

type LocationType struct {
	Type string `json:"type"`
}

// RegulatedActivity: contacts (locations) name Registered Managers;
// nominatedIndividual (providers) names a person. Both are personal data.
type RegulatedActivity struct {
	Name                string   `json:"name"`
	Code                string   `json:"code"`
	Contacts            []Person `json:"contacts,omitempty"`
	NominatedIndividual *Person  `json:"nominatedIndividual,omitempty"`
}

type Person struct {
	PersonTitle      string   `json:"personTitle,omitempty"`
	PersonGivenName  string   `json:"personGivenName,omitempty"`
	PersonFamilyName string   `json:"personFamilyName,omitempty"`
	PersonRoles      []string `json:"personRoles,omitempty"`
}

type Contact = Person

type GacServiceType struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type Specialism struct {
	Name string `json:"name"`
}

// InspectionCategory: Primary is the string "true" or "false".
type InspectionCategory struct {
	Code    string `json:"code"`
	Primary string `json:"primary"`
	Name    string `json:"name"`
}

type InspectionArea struct {
	InspectionAreaID   string   `json:"inspectionAreaId"`
	InspectionAreaName string   `json:"inspectionAreaName"`
	InspectionAreaType *string  `json:"inspectionAreaType,omitempty"`
	Status             string   `json:"status"`
	SupersededBy       []string `json:"supersededBy,omitempty"`
	EndDate            *string  `json:"endDate,omitempty"`
}

// CurrentRatings: ReportDate is a sibling of Overall with the same date.
type CurrentRatings struct {
	Overall        *OverallRating  `json:"overall,omitempty"`
	ReportDate     *string         `json:"reportDate,omitempty"`
	ServiceRatings []ServiceRating `json:"serviceRatings,omitempty"`
}

// OverallRating: an OrganisationID means the rating is inherited from that
// predecessor location, whose reports[].linkId matches ReportLinkID.
type OverallRating struct {
	Rating             string              `json:"rating"`
	ReportDate         string              `json:"reportDate"`
	ReportLinkID       string              `json:"reportLinkId"`
	OrganisationID     *string             `json:"organisationId,omitempty"`
	UseOfResources     *UseOfResources     `json:"useOfResources,omitempty"`
	KeyQuestionRatings []KeyQuestionRating `json:"keyQuestionRatings"`
}

// KeyQuestionRating: Name is Safe, Effective, Caring, Responsive or Well-led
// (match by name, never by position). Historic entries carry only Name and Rating.
type KeyQuestionRating struct {
	Name           string  `json:"name"`
	Rating         string  `json:"rating"`
	ReportDate     *string `json:"reportDate,omitempty"`
	ReportLinkID   *string `json:"reportLinkId,omitempty"`
	OrganisationID *string `json:"organisationId,omitempty"`
}

// UseOfResources is {} on social care; NHS trusts fill it.
type UseOfResources struct {
	UseOfResourcesRating   *string `json:"useOfResourcesRating,omitempty"`
	UseOfResourcesSummary  *string `json:"useOfResourcesSummary,omitempty"`
	CombinedQualityRating  *string `json:"combinedQualityRating,omitempty"`
	CombinedQualitySummary *string `json:"combinedQualitySummary,omitempty"`
	ReportDate             *string `json:"reportDate,omitempty"`
	ReportLinkID           *string `json:"reportLinkId,omitempty"`
	OrganisationID         *string `json:"organisationId,omitempty"`
	Summary                *string `json:"summary,omitempty"`
}

// ServiceRating: Name is an inspection area (e.g. "old", "conditions").
type ServiceRating struct {
	Name               string              `json:"name"`
	Rating             string              `json:"rating"`
	ReportDate         *string             `json:"reportDate,omitempty"`
	ReportLinkID       *string             `json:"reportLinkId,omitempty"`
	OrganisationID     *string             `json:"organisationId,omitempty"`
	KeyQuestionRatings []KeyQuestionRating `json:"keyQuestionRatings,omitempty"`
}

// HistoricRating is one past inspection outcome, newest first in the list.
type HistoricRating struct {
	ReportDate     string           `json:"reportDate"`
	ReportLinkID   string           `json:"reportLinkId"`
	OrganisationID *string          `json:"organisationId,omitempty"`
	Overall        *HistoricOverall `json:"overall,omitempty"`
	ServiceRatings []ServiceRating  `json:"serviceRatings,omitempty"`
}

type HistoricOverall struct {
	Rating             string              `json:"rating"`
	UseOfResources     *UseOfResources     `json:"useOfResources,omitempty"`
	KeyQuestionRatings []KeyQuestionRating `json:"keyQuestionRatings,omitempty"`
}

// Report: ReportURI is relative and may end in "?YYYYMMDDhhmmss"; treat it as
// opaque. Newest first in the list; old reports lack ReportType.
type Report struct {
	LinkID              string            `json:"linkId"`
	ReportDate          string            `json:"reportDate"`
	ReportURI           string            `json:"reportUri"`
	FirstVisitDate      *string           `json:"firstVisitDate,omitempty"`
	ReportType          *string           `json:"reportType,omitempty"`
	RelatedDocuments    []RelatedDocument `json:"relatedDocuments,omitempty"`
	InspectionLocations []struct {
		LocationID string `json:"locationId"`
	} `json:"inspectionLocations,omitempty"`
}

type RelatedDocument struct {
	DocumentType string `json:"documentType"`
	DocumentURI  string `json:"documentUri"`
}

type UnpublishedReport struct {
	FirstVisitDate string `json:"firstVisitDate"`
}

type ProviderInspectionArea struct {
	InspectionAreaID string `json:"inspectionAreaId"`
	Reports          []struct {
		InspectionID string `json:"inspectionId"`
		ReportLinkID string `json:"reportLinkId"`
		ProviderID   string `json:"providerId"`
		LocationID   string `json:"locationId"`
	} `json:"reports,omitempty"`
}

type CodeName struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// SettingService keeps the API's odd lower-case "t" in settingtype/servicetype.
type SettingService struct {
	SettingtypeCode string `json:"settingtypeCode"`
	SettingtypeName string `json:"settingtypeName"`
	ServicetypeCode string `json:"servicetypeCode"`
	ServicetypeName string `json:"servicetypeName"`
}

// Assessment is a Single Assessment Framework block (2024+). A location may
// have it and no currentRatings. Date-times come in several formats: parse
// leniently.
type Assessment struct {
	AssessmentPlanPublishedDateTime *string            `json:"assessmentPlanPublishedDateTime,omitempty"`
	Ratings                         *AssessmentRatings `json:"ratings,omitempty"`
}

type AssessmentRatings struct {
	Overall    []AssessmentRating    `json:"overall,omitempty"`
	AsgRatings []AssessmentASGRating `json:"asgRatings,omitempty"`
}

// AssessmentRating: SAF blocks spell "Requires Improvement" (capital I).
type AssessmentRating struct {
	Rating             string                  `json:"rating"`
	Status             string                  `json:"status"`
	KeyQuestionRatings []AssessmentKeyQuestion `json:"keyQuestionRatings,omitempty"`
}

type AssessmentASGRating struct {
	AssessmentPlanID     string                  `json:"assessmentPlanId"`
	Title                string                  `json:"title"`
	AssessmentDate       string                  `json:"assessmentDate"`
	AssessmentPlanStatus string                  `json:"assessmentPlanStatus"`
	Name                 string                  `json:"name"`
	Rating               string                  `json:"rating"`
	Status               string                  `json:"status"`
	KeyQuestionRatings   []AssessmentKeyQuestion `json:"keyQuestionRatings,omitempty"`
}

// AssessmentKeyQuestion: PercentageScore is a string in the API.
type AssessmentKeyQuestion struct {
	Name            string  `json:"name"`
	Rating          string  `json:"rating"`
	Status          string  `json:"status,omitempty"`
	PercentageScore *string `json:"percentageScore,omitempty"`
}

type AssessmentServiceGroup struct {
	AssessmentServiceID   string  `json:"assessmentServiceId"`
	AssessmentServiceName string  `json:"assessmentServiceName"`
	Status                string  `json:"status"`
	StartDate             *string `json:"startDate,omitempty"`
	EndDate               *string `json:"endDate,omitempty"`
	AssessmentServiceType *string `json:"assessmentServiceType,omitempty"`
}

// InspectionAreasResponse is GET /inspection-areas and the per-organisation
// variants: {"inspectionAreas": [...]} (possibly {} for none).
type InspectionAreasResponse struct {
	InspectionAreas []GlobalInspectionArea `json:"inspectionAreas"`
}

type GlobalInspectionArea struct {
	InspectionAreaID                string   `json:"inspectionAreaId"`
	InspectionAreaName              string   `json:"inspectionAreaName"`
	InspectionAreaType              string   `json:"inspectionAreaType"`
	Status                          string   `json:"status"`
	EndDate                         *string  `json:"endDate,omitempty"`
	SupersededBy                    []string `json:"supersededBy,omitempty"`
	OrgInspectionAreaRetirementDate *string  `json:"orgInspectionAreaRetirementDate,omitempty"`
	// InspectionCategories: the categories the area applies to (in the live
	// taxonomy per Airbyte's auto-imported schema; every field a string).
	InspectionCategories []GlobalInspectionCategory `json:"inspectionCategories,omitempty"`
}

// GlobalInspectionCategory is an item of GlobalInspectionArea.InspectionCategories.
type GlobalInspectionCategory struct {
	Code                            string  `json:"code"`
	CoreFlag                        string  `json:"coreFlag,omitempty"`
	EndDate                         *string `json:"endDate,omitempty"`
	InspectionCategoryName          string  `json:"inspectionCategoryName"`
	OrgInspectionAreaRetirementDate *string `json:"orgInspectionAreaRetirementDate,omitempty"`
	Status                          string  `json:"status,omitempty"`
}

// ProviderLocationsResponse is GET /providers/{id}/locations. The real item
// shape is uncertain (docs/architecture.md, "CQC API: open questions"); we
// serve thin location items.
type ProviderLocationsResponse struct {
	Locations []LocationSummary `json:"locations"`
}
