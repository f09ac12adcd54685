package cqcsim

// Vocabularies of the real register (docs/architecture.md, "CQC API: vocabularies"). Exact
// strings matter: clients filter and classify on them.

// Ratings, indexed by the rating codes stored per report.
const (
	rNone         uint8 = iota // not rated by this report
	rOutstanding               // "Outstanding"
	rGood                      // "Good"
	rRI                        // "Requires improvement"
	rInadequate                // "Inadequate"
	rIBNR                      // "Inspected but not rated"
	rInsufficient              // "Insufficient evidence to rate"
)

var ratingNames = [...]string{
	rNone:         "",
	rOutstanding:  "Outstanding",
	rGood:         "Good",
	rRI:           "Requires improvement",
	rInadequate:   "Inadequate",
	rIBNR:         "Inspected but not rated",
	rInsufficient: "Insufficient evidence to rate",
}

// safRatingName is the Single Assessment Framework spelling (capital I).
func safRatingName(r uint8) string {
	if r == rRI {
		return "Requires Improvement"
	}
	return ratingNames[r]
}

// realRating reports whether a rating code is a rating that can be current
// (not "Inspected but not rated" and not absent).
func realRating(r uint8) bool { return r >= rOutstanding && r <= rInadequate || r == rInsufficient }

// Key questions in the order every real body lists them.
var keyQuestions = [5]string{"Safe", "Well-led", "Caring", "Responsive", "Effective"}

// safKeyQuestions is the order the assessment blocks use here; clients must
// match key questions by name, so the two orders differ on purpose.
var safKeyQuestions = [5]int{0, 4, 2, 3, 1} // Safe, Effective, Caring, Responsive, Well-led

const (
	regionLondon    = "London"
	regionSouthEast = "South East"
	regionSouthWest = "South West"
	regionEast      = "East"
	regionEastMids  = "East Midlands"
	regionWestMids  = "West Midlands"
	regionNorthWest = "North West"
	regionNorthEast = "North East"
	regionYorks     = "Yorkshire & Humberside"
)

// Regions lists the region spellings the API uses.
var Regions = []string{regionLondon, regionSouthEast, regionSouthWest, regionEast, regionEastMids,
	regionWestMids, regionNorthWest, regionNorthEast, regionYorks}

// place is one local authority area: everything an address there needs.
type place struct {
	region, localAuthority string
	constituencies         []string
	town, county           string // county may be empty (omitted key)
	postcode               string // outward code
	lat, lon               float64
	icbCode, icbName       string
	ccgCode, ccgName       string
	phone                  string // dialling code
	districts              []string
}

var places = []place{
	{regionLondon, "Croydon", []string{"Croydon East", "Croydon West", "Croydon South"}, "Croydon", "", "CR0", 51.3762, -0.0982, "E54000031", "NHS South West London Integrated Care Board", "E38000040", "NHS Croydon CCG", "020", []string{"Thornton Heath", "Addiscombe", "Shirley"}},
	{regionLondon, "Merton", []string{"Mitcham and Morden", "Wimbledon"}, "Mitcham", "", "CR4", 51.4031, -0.1667, "E54000031", "NHS South West London Integrated Care Board", "E38000105", "NHS Merton CCG", "020", []string{"Morden", "Colliers Wood"}},
	{regionLondon, "Greenwich", []string{"Greenwich and Woolwich", "Eltham and Chislehurst"}, "London", "", "SE10", 51.4826, -0.0077, "E54000030", "NHS South East London Integrated Care Board", "E38000069", "NHS Greenwich CCG", "020", []string{"Charlton", "Woolwich", "Eltham"}},
	{regionLondon, "Camden", []string{"Holborn and St Pancras", "Hampstead and Highgate"}, "London", "", "NW1", 51.5390, -0.1426, "E54000028", "NHS North Central London Integrated Care Board", "E38000027", "NHS Camden CCG", "020", []string{"Kentish Town", "Belsize Park"}},
	{regionLondon, "Hackney", []string{"Hackney North and Stoke Newington", "Hackney South and Shoreditch"}, "London", "", "E8", 51.5450, -0.0553, "E54000029", "NHS North East London Integrated Care Board", "E38000072", "NHS City and Hackney CCG", "020", []string{"Dalston", "Homerton"}},
	{regionSouthEast, "Kent", []string{"Canterbury", "Maidstone and Malling", "Faversham and Mid Kent"}, "Canterbury", "Kent", "CT1", 51.2802, 1.0789, "E54000032", "NHS Kent and Medway Integrated Care Board", "E38000237", "NHS Kent and Medway CCG", "01227", []string{"Wincheap", "Sturry", "Harbledown"}},
	{regionSouthEast, "Brighton and Hove", []string{"Brighton Pavilion", "Hove and Portslade"}, "Brighton", "East Sussex", "BN1", 50.8225, -0.1372, "E54000064", "NHS Sussex Integrated Care Board", "E38000021", "NHS Brighton and Hove CCG", "01273", []string{"Preston Park", "Withdean"}},
	{regionSouthEast, "Oxfordshire", []string{"Oxford East", "Oxford West and Abingdon"}, "Oxford", "Oxfordshire", "OX4", 51.7520, -1.2577, "E54000044", "NHS Buckinghamshire, Oxfordshire and Berkshire West Integrated Care Board", "E38000136", "NHS Oxfordshire CCG", "01865", []string{"Cowley", "Headington", "Littlemore"}},
	{regionSouthEast, "Hampshire", []string{"Basingstoke", "Winchester"}, "Basingstoke", "Hampshire", "RG21", 51.2665, -1.0924, "E54000042", "NHS Hampshire and Isle of Wight Integrated Care Board", "E38000253", "NHS Hampshire, Southampton and Isle of Wight CCG", "01256", []string{"Chineham", "Oakley"}},
	{regionSouthEast, "Surrey", []string{"Guildford", "Woking"}, "Guildford", "Surrey", "GU1", 51.2362, -0.5704, "E54000063", "NHS Surrey Heartlands Integrated Care Board", "E38000246", "NHS Surrey Heartlands CCG", "01483", []string{"Merrow", "Burpham"}},
	{regionSouthWest, "Somerset", []string{"Bridgwater", "Taunton and Wellington"}, "Bridgwater", "", "TA7", 51.0887, -2.9069, "E54000038", "NHS Somerset Integrated Care Board", "E38000150", "NHS Somerset CCG", "01278", []string{"Middlezoy", "Westonzoyland"}},
	{regionSouthWest, "Bristol, City of", []string{"Bristol Central", "Bristol East"}, "Bristol", "", "BS5", 51.4545, -2.5879, "E54000039", "NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board", "E38000222", "NHS Bristol, North Somerset and South Gloucestershire CCG", "0117", []string{"Easton", "St George"}},
	{regionSouthWest, "Cornwall", []string{"Truro and Falmouth", "St Austell and Newquay"}, "Truro", "Cornwall", "TR1", 50.2632, -5.0510, "E54000036", "NHS Cornwall and the Isles of Scilly Integrated Care Board", "E38000089", "NHS Kernow CCG", "01872", []string{"Malpas", "Threemilestone"}},
	{regionSouthWest, "Devon", []string{"Exeter", "Honiton and Sidmouth"}, "Exeter", "Devon", "EX4", 50.7184, -3.5339, "E54000037", "NHS Devon Integrated Care Board", "E38000230", "NHS Devon CCG", "01392", []string{"Pennsylvania", "Heavitree"}},
	{regionSouthWest, "Gloucestershire", []string{"Cheltenham", "Gloucester"}, "Cheltenham", "Gloucestershire", "GL50", 51.8994, -2.0783, "E54000043", "NHS Gloucestershire Integrated Care Board", "E38000062", "NHS Gloucestershire CCG", "01242", []string{"Charlton Kings", "Leckhampton"}},
	{regionEast, "Suffolk", []string{"Ipswich", "Central Suffolk and North Ipswich"}, "Ipswich", "Suffolk", "IP1", 52.0567, 1.1482, "E54000023", "NHS Suffolk and North East Essex Integrated Care Board", "E38000086", "NHS Ipswich and East Suffolk CCG", "01473", []string{"Whitton", "Castle Hill"}},
	{regionEast, "Norfolk", []string{"Norwich South", "Norwich North"}, "Norwich", "Norfolk", "NR1", 52.6309, 1.2974, "E54000022", "NHS Norfolk and Waveney Integrated Care Board", "E38000239", "NHS Norfolk and Waveney CCG", "01603", []string{"Lakenham", "Thorpe Hamlet"}},
	{regionEast, "Cambridgeshire", []string{"Cambridge", "South Cambridgeshire"}, "Cambridge", "Cambridgeshire", "CB1", 52.2053, 0.1218, "E54000056", "NHS Cambridgeshire and Peterborough Integrated Care Board", "E38000026", "NHS Cambridgeshire and Peterborough CCG", "01223", []string{"Cherry Hinton", "Romsey"}},
	{regionEast, "Hertfordshire", []string{"Watford", "St Albans"}, "Watford", "Hertfordshire", "WD17", 51.6565, -0.3903, "E54000025", "NHS Hertfordshire and West Essex Integrated Care Board", "E38000079", "NHS Herts Valleys CCG", "01923", []string{"Cassiobury", "Oxhey"}},
	{regionEast, "Essex", []string{"Chelmsford", "Colchester"}, "Chelmsford", "Essex", "CM1", 51.7356, 0.4685, "E54000026", "NHS Mid and South Essex Integrated Care Board", "E38000106", "NHS Mid Essex CCG", "01245", []string{"Springfield", "Broomfield"}},
	{regionEastMids, "Nottingham", []string{"Nottingham East", "Nottingham South"}, "Nottingham", "", "NG7", 52.9548, -1.1581, "E54000060", "NHS Nottingham and Nottinghamshire Integrated Care Board", "E38000243", "NHS Nottingham and Nottinghamshire CCG", "0115", []string{"Lenton", "Radford", "Sneinton"}},
	{regionEastMids, "Leicester", []string{"Leicester South", "Leicester East"}, "Leicester", "", "LE2", 52.6369, -1.1398, "E54000015", "NHS Leicester, Leicestershire and Rutland Integrated Care Board", "E38000097", "NHS Leicester City CCG", "0116", []string{"Clarendon Park", "Knighton"}},
	{regionEastMids, "Derby", []string{"Derby North", "Derby South"}, "Derby", "", "DE22", 52.9225, -1.4746, "E54000058", "NHS Derby and Derbyshire Integrated Care Board", "E38000229", "NHS Derby and Derbyshire CCG", "01332", []string{"Allestree", "Darley Abbey"}},
	{regionEastMids, "Lincolnshire", []string{"Lincoln", "Boston and Skegness"}, "Lincoln", "Lincolnshire", "LN2", 53.2307, -0.5406, "E54000013", "NHS Lincolnshire Integrated Care Board", "E38000238", "NHS Lincolnshire CCG", "01522", []string{"Nettleham", "Monks Road"}},
	{regionEastMids, "West Northamptonshire", []string{"Northampton North", "Northampton South"}, "Northampton", "Northamptonshire", "NN1", 52.2405, -0.9027, "E54000059", "NHS Northamptonshire Integrated Care Board", "E38000242", "NHS Northamptonshire CCG", "01604", []string{"Abington", "Kingsthorpe"}},
	{regionWestMids, "Birmingham", []string{"Birmingham Edgbaston", "Birmingham Hall Green and Moseley"}, "Birmingham", "West Midlands", "B15", 52.4862, -1.8904, "E54000055", "NHS Birmingham and Solihull Integrated Care Board", "E38000220", "NHS Birmingham and Solihull CCG", "0121", []string{"Edgbaston", "Harborne", "Moseley"}},
	{regionWestMids, "Worcestershire", []string{"West Worcestershire", "Worcester"}, "Worcester", "Worcestershire", "WR8", 52.0884, -2.2733, "E54000019", "NHS Herefordshire and Worcestershire Integrated Care Board", "E38000236", "NHS Herefordshire and Worcestershire CCG", "01684", []string{"Upton-upon-Severn", "Kempsey"}},
	{regionWestMids, "Stoke-on-Trent", []string{"Stoke-on-Trent Central", "Stoke-on-Trent North"}, "Stoke-on-Trent", "", "ST3", 52.9973, -2.1176, "E54000010", "NHS Staffordshire and Stoke-on-Trent Integrated Care Board", "E38000175", "NHS Stoke on Trent CCG", "01782", []string{"Longton", "Meir"}},
	{regionWestMids, "Coventry", []string{"Coventry East", "Coventry South"}, "Coventry", "West Midlands", "CV1", 52.4068, -1.5197, "E54000018", "NHS Coventry and Warwickshire Integrated Care Board", "E38000038", "NHS Coventry and Rugby CCG", "024", []string{"Earlsdon", "Stoke Aldermoor"}},
	{regionWestMids, "Wolverhampton", []string{"Wolverhampton West", "Wolverhampton South East"}, "Wolverhampton", "West Midlands", "WV10", 52.5870, -2.1288, "E54000062", "NHS Black Country Integrated Care Board", "E38000210", "NHS Wolverhampton CCG", "01902", []string{"Bushbury", "Fallings Park"}},
	{regionNorthWest, "Wirral", []string{"Wirral West", "Birkenhead"}, "Wirral", "Merseyside", "CH63", 53.3455, -3.0026, "E54000008", "NHS Cheshire and Merseyside Integrated Care Board", "E38000208", "NHS Wirral CCG", "0151", []string{"Bebington", "Spital"}},
	{regionNorthWest, "Bury", []string{"Bury South", "Bury North"}, "Bury", "Greater Manchester", "M45", 53.5585, -2.2953, "E54000057", "NHS Greater Manchester Integrated Care Board", "E38000024", "NHS Bury CCG", "0161", []string{"Whitefield", "Prestwich"}},
	{regionNorthWest, "Manchester", []string{"Manchester Central", "Manchester Rusholme"}, "Manchester", "", "M14", 53.4808, -2.2426, "E54000057", "NHS Greater Manchester Integrated Care Board", "E38000217", "NHS Manchester CCG", "0161", []string{"Fallowfield", "Rusholme"}},
	{regionNorthWest, "Blackpool", []string{"Blackpool South", "Blackpool North and Fleetwood"}, "Blackpool", "Lancashire", "FY4", 53.7760, -3.0259, "E54000048", "NHS Lancashire and South Cumbria Integrated Care Board", "E38000015", "NHS Blackpool CCG", "01253", []string{"Marton", "South Shore"}},
	{regionNorthWest, "Liverpool", []string{"Liverpool Riverside", "Liverpool Walton"}, "Liverpool", "Merseyside", "L8", 53.4084, -2.9916, "E54000008", "NHS Cheshire and Merseyside Integrated Care Board", "E38000101", "NHS Liverpool CCG", "0151", []string{"Toxteth", "Aigburth"}},
	{regionNorthEast, "Newcastle upon Tyne", []string{"Newcastle upon Tyne Central and West", "Newcastle upon Tyne North"}, "Newcastle upon Tyne", "Tyne and Wear", "NE4", 54.9783, -1.6178, "E54000050", "NHS North East and North Cumbria Integrated Care Board", "E38000212", "NHS Newcastle Gateshead CCG", "0191", []string{"Fenham", "Benwell"}},
	{regionNorthEast, "Sunderland", []string{"Sunderland Central", "Houghton and Sunderland South"}, "Sunderland", "Tyne and Wear", "SR2", 54.9069, -1.3838, "E54000050", "NHS North East and North Cumbria Integrated Care Board", "E38000176", "NHS Sunderland CCG", "0191", []string{"Hendon", "Ryhope"}},
	{regionNorthEast, "County Durham", []string{"City of Durham", "Bishop Auckland"}, "Durham", "County Durham", "DH1", 54.7753, -1.5849, "E54000050", "NHS North East and North Cumbria Integrated Care Board", "E38000234", "NHS County Durham CCG", "0191", []string{"Gilesgate", "Framwellgate Moor"}},
	{regionNorthEast, "Middlesbrough", []string{"Middlesbrough and Thornaby East"}, "Middlesbrough", "", "TS1", 54.5742, -1.2350, "E54000050", "NHS North East and North Cumbria Integrated Care Board", "E38000247", "NHS Tees Valley CCG", "01642", []string{"Linthorpe", "Acklam"}},
	{regionNorthEast, "Northumberland", []string{"Hexham", "Blyth and Ashington"}, "Hexham", "Northumberland", "NE46", 54.9711, -2.1017, "E54000050", "NHS North East and North Cumbria Integrated Care Board", "E38000130", "NHS Northumberland CCG", "01434", []string{"Corbridge", "Acomb"}},
	{regionYorks, "Doncaster", []string{"Rawmarsh and Conisbrough", "Doncaster Central"}, "Doncaster", "", "DN4", 53.4999, -1.1802, "E54000061", "NHS South Yorkshire Integrated Care Board", "E38000044", "NHS Doncaster CCG", "01302", []string{"Warmsworth", "Balby", "Bessacarr"}},
	{regionYorks, "Leeds", []string{"Leeds East", "Leeds West and Pudsey"}, "Leeds", "", "LS9", 53.8018, -1.4930, "E54000054", "NHS West Yorkshire Integrated Care Board", "E38000225", "NHS Leeds CCG", "0113", []string{"Harehills", "Osmondthorpe"}},
	{regionYorks, "York", []string{"York Central", "York Outer"}, "York", "North Yorkshire", "YO1", 53.9573, -1.0807, "E54000051", "NHS Humber and North Yorkshire Integrated Care Board", "E38000188", "NHS Vale of York CCG", "01904", []string{"Fulford", "Heworth"}},
	{regionYorks, "Sheffield", []string{"Sheffield Central", "Sheffield Hallam"}, "Sheffield", "South Yorkshire", "S10", 53.3811, -1.4701, "E54000061", "NHS South Yorkshire Integrated Care Board", "E38000146", "NHS Sheffield CCG", "0114", []string{"Broomhill", "Crookes"}},
	{regionYorks, "Kingston upon Hull, City of", []string{"Kingston upon Hull East", "Kingston upon Hull North and Cottingham"}, "Hull", "East Yorkshire", "HU3", 53.7457, -0.3367, "E54000051", "NHS Humber and North Yorkshire Integrated Care Board", "E38000085", "NHS Hull CCG", "01482", []string{"Newington", "Anlaby Road"}},
}

// Regulated activities: codes as far as public samples show them (RA1, RA2,
// RA5, RA7 and RA8 are confirmed; the others are plausible, see the report).
type activity struct{ code, name string }

const (
	raPersonalCare = iota
	raAccommodation
	raSubstance
	raTreatment
	raMHA
	raSurgical
	raDiagnostic
	raTransport
	raMaternity
	raTermination
	raFamilyPlanning
)

var activities = []activity{
	raPersonalCare:   {"RA1", "Personal care"},
	raAccommodation:  {"RA2", "Accommodation for persons who require nursing or personal care"},
	raSubstance:      {"RA3", "Accommodation for persons who require treatment for substance misuse"},
	raTreatment:      {"RA5", "Treatment of disease, disorder or injury"},
	raMHA:            {"RA6", "Assessment or medical treatment for persons detained under the Mental Health Act 1983"},
	raSurgical:       {"RA7", "Surgical procedures"},
	raDiagnostic:     {"RA8", "Diagnostic and screening procedures"},
	raTransport:      {"RA10", "Transport services, triage and medical advice provided remotely"},
	raMaternity:      {"RA11", "Maternity and midwifery services"},
	raTermination:    {"RA12", "Termination of pregnancies"},
	raFamilyPlanning: {"RA14", "Family planning services"},
}

type gacType struct{ name, description string }

const (
	gacNursing = iota
	gacResidential
	gacHomecare
	gacSupported
	gacGPConsult
	gacGPTreat
	gacDental
	gacHospital
	gacHospitalDay
	gacDiagnosis
	gacAmbulance
	gacCommunity
	gacMentalHealth
)

var gacTypes = []gacType{
	gacNursing:      {"Nursing homes", "Care home service with nursing"},
	gacResidential:  {"Residential homes", "Care home service without nursing"},
	gacHomecare:     {"Homecare agencies", "Domiciliary care service"},
	gacSupported:    {"Supported living", "Supported living service"},
	gacGPConsult:    {"Doctors/Gps", "Doctors consultation service"},
	gacGPTreat:      {"Doctors/Gps", "Doctors treatment service"},
	gacDental:       {"Dentist", "Dental service"},
	gacHospital:     {"Hospitals", "Acute services with overnight beds"},
	gacHospitalDay:  {"Hospitals", "Acute services without overnight beds / listed acute services with or without overnight beds"},
	gacDiagnosis:    {"Diagnosis/screening", "Diagnostic and/or screening service"},
	gacAmbulance:    {"Ambulances", "Ambulance service"},
	gacCommunity:    {"Community services - Healthcare", "Community healthcare service"},
	gacMentalHealth: {"Hospitals - Mental health/capacity", "Hospital services for people with mental health needs, learning disabilities and problems with substance misuse"},
}

var specialismNames = []string{
	"Caring for adults over 65 yrs", "Caring for adults under 65 yrs", "Caring for children",
	"Dementia", "Eating disorders", "Learning disabilities", "Mental health conditions",
	"Physical disabilities", "Sensory impairment", "Substance misuse problems", "Services for everyone",
}

const specEveryone = 10 // index of "Services for everyone"

// Location kinds: what a location is decides its type, directorate,
// categories, service types and whether CQC rates it.
const (
	kNursingHome = iota
	kResidentialHome
	kHomecare
	kSupportedLiving
	kGP
	kDental
	kIndependent
	kNHSHospital
	kAmbulance
	numKinds
)

type kindInfo struct {
	orgType     string
	directorate string
	careHome    string
	category    [2]string // primary inspection category code and name
	rated       bool
	areas       []string // inspection area IDs the location is rated on
}

var kinds = [numKinds]kindInfo{
	kNursingHome:     {"Social Care Org", "Adult social care", "Y", [2]string{"S1", "Residential social care"}, true, nil},
	kResidentialHome: {"Social Care Org", "Adult social care", "Y", [2]string{"S1", "Residential social care"}, true, nil},
	kHomecare:        {"Social Care Org", "Adult social care", "N", [2]string{"S2", "Community based adult social care services"}, true, nil},
	kSupportedLiving: {"Social Care Org", "Adult social care", "N", [2]string{"S2", "Community based adult social care services"}, true, nil},
	kGP:              {"Primary Medical Services", "Primary medical services", "N", [2]string{"P2", "GP Practices"}, true, []string{"old", "conditions", "families", "working", "vulnerable", "problems"}},
	kDental:          {"Primary Dental Care", "Primary medical services", "N", [2]string{"P1", "Dentists"}, false, nil},
	kIndependent:     {"Independent Healthcare Org", "Hospitals", "N", [2]string{"H2", "Acute hospital - Independent non-specialist"}, true, []string{"surgery", "outpatients", "diagnostic"}},
	kNHSHospital:     {"NHS Healthcare Organisation", "Hospitals", "N", [2]string{"H1", "Acute hospital - NHS non-specialist"}, true, []string{"urgent", "medical", "surgery", "critical", "maternityonly", "children", "endoflife", "outpatients"}},
	kAmbulance:       {"Independent Ambulance", "Hospitals", "N", [2]string{"H7", "Independent ambulance"}, true, []string{"emergencyurgent", "patienttransport"}},
}

// Provider kinds choose which location kinds a provider runs.
const (
	pkSocial = iota
	pkGP
	pkDental
	pkIndependent
	pkNHSTrust
	pkAmbulance
)

// inspectionArea is one entry of the global taxonomy (/inspection-areas).
type inspectionArea struct {
	id, name, typ, status string
	supersededBy          []string
	endDate               string
	categories            []string // inspection category codes
}

var inspectionAreas = []inspectionArea{
	{"old", "Older people", "Population group", "Active", nil, "", []string{"P2"}},
	{"conditions", "People with long term conditions", "Population group", "Active", nil, "", []string{"P2"}},
	{"families", "Families, children and young people", "Population group", "Active", nil, "", []string{"P2"}},
	{"working", "Working age people (including those recently retired and students)", "Population group", "Active", nil, "", []string{"P2"}},
	{"vulnerable", "People whose circumstances may make them vulnerable", "Population group", "Active", nil, "", []string{"P2"}},
	{"problems", "People experiencing poor mental health (including people with dementia)", "Population group", "Active", nil, "", []string{"P2"}},
	{"urgent", "Urgent and emergency services", "Core service", "Active", nil, "", []string{"H1"}},
	{"medical", "Medical care (including older people's care)", "Core service", "Active", nil, "", []string{"H1", "H2"}},
	{"surgery", "Surgery", "Core service", "Active", nil, "", []string{"H1", "H2"}},
	{"critical", "Critical care", "Core service", "Active", nil, "", []string{"H1"}},
	{"maternity", "Maternity and gynaecology", "Core service", "Superseded", []string{"maternityonly", "gynaecology"}, "2016-06-30", []string{"H1"}},
	{"maternityonly", "Maternity", "Core service", "Active", nil, "", []string{"H1"}},
	{"gynaecology", "Gynaecology", "Core service", "Active", nil, "", []string{"H1", "H2"}},
	{"children", "Services for children and young people", "Core service", "Active", nil, "", []string{"H1", "H2"}},
	{"endoflife", "End of life care", "Core service", "Active", nil, "", []string{"H1"}},
	{"outpatients", "Outpatients", "Core service", "Active", nil, "", []string{"H1", "H2"}},
	{"diagnostic", "Diagnostic imaging", "Core service", "Active", nil, "", []string{"H1", "H2"}},
	{"independentmaternity", "Maternity (independent)", "Core service", "Active", nil, "", []string{"H2"}},
	{"emergencyurgent", "Emergency and urgent care", "Core service", "Active", nil, "", []string{"H7"}},
	{"patienttransport", "Patient transport services", "Core service", "Active", nil, "", []string{"H7"}},
	{"outpatientsdiag", "Outpatients and diagnostic imaging", "Core service", "Superseded", []string{"outpatients", "diagnostic"}, "2019-03-31", []string{"H1", "H2"}},
}

// Relationship reasons seen in the real register.
const (
	reasonLegalEntity = iota
	reasonNewProvider
	reasonLocationMove
	reasonNHSTransfer
)

var reasons = []string{"Legal Entity Change", "New Provider", "Location Move", "NHS Transfer"}

const (
	relPredecessor = "HSCA Predecessor"
	relSuccessor   = "HSCA Successor"
)

// Name material. A few stems are deliberately non-ASCII, as real names are.
var nameStems = []string{
	"Orchid", "Willow", "Oak", "Beech", "Meadow", "Rose", "Elm", "Cedar", "Hawthorn", "Ivy",
	"Lavender", "Primrose", "Heather", "Rowan", "Birch", "Maple", "Holly", "Charlotte", "Regency",
	"Albany", "Ashford", "Belmont", "Bramley", "Clifton", "Eden", "Fairview", "Greenacres",
	"Hillcrest", "Kingsley", "Larchwood", "Mayfield", "Northfield", "Oakleigh", "Parkside",
	"Riverside", "Seaview", "Thornbury", "Westbury", "Abbey", "Ashgrove", "Bluebell", "Brookside",
	"Chestnut", "Copper Beech", "Elmhurst", "Foxglove", "Glenholme", "Harbour", "Juniper",
	"Lime Tree", "Magnolia", "Moorland", "Orchard", "Pinewood", "Quayside", "Rosewood",
	"Sandringham", "Sycamore", "Valley View", "Woodlands", "Arch", "Caring Hearts", "Helping Hands",
	"Bright Futures", "Kind Hands", "True Care", "Home Instead", "Bluebird", "Radfield",
}

var nonASCIIStems = []string{
	"Brontë", "Zoë’s", "Chloë", "Noël", "Renée", "Hélène", "St Mary’s", "Café Court", "Ty Gwyn – ", "Åsa",
}

var careHomeSuffixes = []string{"House", "Lodge", "Court", "Care Home", "Nursing Home", "Manor", "Grange", "View", "Residential Home"}
var homecareSuffixes = []string{"Care", "Home Care", "Care Services Ltd", "Support Services", "Homecare", "Community Services Ltd", "Care at Home"}

var streets = []string{
	"High Road", "Church Road", "Station Road", "Main Street", "Park Lane", "Victoria Road", "London Road",
	"Mill Lane", "The Green", "Queens Road", "York Road", "Manor Way", "Castlegate", "Lilly Hill",
	"Worcester Road", "Parkhall Road", "Tything Road West", "Gelder Road", "Kings Road", "Albert Street",
	"Chapel Lane", "School Lane", "North Street", "Grange Road", "Springfield Road",
}

var buildings = []string{"Unit 3, Thorngrove Barns", "Marcus House", "Office 11", "Suite 2, Enterprise House",
	"The Coach House", "Unit 6, Cygnet Business Centre", "First Floor, Regent House", "Ground Floor"}

var givenNames = []string{"Sarah", "James", "Emma", "David", "Claire", "Mohammed", "Priya", "John", "Helen",
	"Olusegun", "Agnieszka", "Michael", "Joanne", "Rajesh", "Siobhan", "Thomas", "Fatima", "Gareth", "Ewa", "Chinedu"}
var familyNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Patel", "Khan", "Davies", "Evans",
	"Thomas", "Roberts", "Okafor", "Nowak", "Murphy", "O’Brien", "Singh", "Walker", "Wright", "Hughes", "Begum"}
var titles = []string{"Mrs", "Mr", "Ms", "Miss", "Dr"}
